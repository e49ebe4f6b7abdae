/* Shared helpers for the benchmark workloads: a checksum sink so work cannot be optimised away. */
#ifndef BENCH_COMMON_H
#define BENCH_COMMON_H
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
static inline int bench_scale(int argc, char** argv, int dflt) { return argc > 1 ? atoi(argv[1]) : dflt; }
static inline void bench_report(const char* name, uint64_t checksum) {
  printf("%s checksum %016llx\n", name, (unsigned long long)checksum);
}
#endif
