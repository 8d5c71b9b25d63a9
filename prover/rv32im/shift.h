// shift chip (placeholder until written).
#pragma once
