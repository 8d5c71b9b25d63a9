// mul chip (placeholder until written).
#pragma once
