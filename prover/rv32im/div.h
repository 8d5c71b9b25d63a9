// div chip (placeholder until written).
#pragma once
