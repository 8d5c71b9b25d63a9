// Host allocator setting for processes that prove (zkvm prove, zkvm-mpi,
// the proving benchmarks).
//
// The prover allocates and frees buffers of tens to thousands of MB many
// times per segment (trace LDEs, Merkle levels, quotient cosets, DEEP and
// FRI words). glibc serves each allocation above its mmap threshold (at most
// 32 MiB by default) from a fresh mmap and unmaps it on free, so every
// reuse faults its pages in and has the kernel zero them again: at 2^20 rows
// the kernel's page-fault work was about a third of the prover's CPU time
// (docs/BENCHMARKS.md "Host allocator"). keep_large_allocations_in_heap()
// raises the mmap threshold to the largest value mallopt takes (2^31 - 1
// bytes) and stops the heap from being trimmed, so freed buffers are
// reused in place. Call it once, early, before the process's threads
// start. Process-wide, so a library never calls it on its own. Returns
// false where the C library has no such setting (the process runs as
// before).
#pragma once

namespace zkvm::hal {

bool keep_large_allocations_in_heap();

}  // namespace zkvm::hal
