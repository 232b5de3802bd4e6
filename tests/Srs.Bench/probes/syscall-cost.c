/*
 * What entering and leaving the kernel costs on this machine: a trivial system call (getppid)
 * two million times, wall time per call. It tells one machine from another: ~1.1 µs on one 2-core
 * VM measured, ~0.12 µs on another (docs/performance.md, how it is measured). A server that makes
 * a system call per message per player (nginx-rtmp) feels the difference; batched sends less.
 *
 *   gcc -O2 tests/Srs.Bench/probes/syscall-cost.c -o /tmp/syscall-cost && /tmp/syscall-cost
 */
#include <stdio.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int main(void)
{
    const int calls = 2000000;
    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (int i = 0; i < calls; i++) syscall(SYS_getppid);
    clock_gettime(CLOCK_MONOTONIC, &end);
    double ns = (end.tv_sec - start.tv_sec) * 1e9 + (end.tv_nsec - start.tv_nsec);
    printf("%.3f us per system call\n", ns / calls / 1000);
    return 0;
}
