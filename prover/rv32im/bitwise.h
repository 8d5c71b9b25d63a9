// bitwise chip (placeholder until written).
#pragma once
