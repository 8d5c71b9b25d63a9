/* Compiles a guest source that zkml-tool gen-guest writes at build time
 * (zkml_model_guest in guest-sdk/ml/CMakeLists.txt). zkvm_add_guest takes
 * only sources that exist at configure time, so this fixed file includes the
 * generated one, named by -DZKML_GENERATED_SOURCE=<file.c>. */
#ifndef ZKML_GENERATED_SOURCE
#error "ZKML_GENERATED_SOURCE must name the generated guest source"
#endif
#include ZKML_GENERATED_SOURCE
