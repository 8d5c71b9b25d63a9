#pragma once
#ifdef __cplusplus
extern "C" {
#endif
int util_triple(int x);
#ifdef __cplusplus
}
#endif
