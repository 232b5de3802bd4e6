/*
 * What one send costs the sender on this machine, without .NET: N loopback TCP connections, a
 * reader process draining them (epoll), and the sender writing ~10.5 KB in 4 iovecs to every
 * connection 12.5 times a second (2,000 players at mw-latency 80 ms), either one sendmsg per
 * connection (mode 0) or all of a round through io_uring, one io_uring_enter per 4,096 (mode 1).
 * An optional INTERVAL_MS sends the same 1 Mbps (~10.5 KB per 80 ms) at another rhythm: 120 or 200
 * for longer merged writes, 14.7 for one send per message as nginx-rtmp does (68 a second).
 * Prints the sender's CPU (utime + stime) and CPU per send. docs/performance.md quotes it.
 *
 *   apt-get install -y gcc liburing-dev
 *   gcc -O2 tests/Srs.Bench/probes/send-cost.c -o /tmp/send-cost -luring
 *   ulimit -n 20000; P=$((30000 + RANDOM % 10000))
 *   taskset -c 1 /tmp/send-cost reader 2000 $P & sleep 0.5
 *   taskset -c 0 /tmp/send-cost 0 2000 $P 8      # or mode 1; then kill the reader
 *   taskset -c 0 /tmp/send-cost 1 2000 $P 8 200  # 200 ms merged writes
 */
#include <liburing.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { PIECES = 4 };

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }

static double cpu(void) {
    struct rusage r;
    getrusage(RUSAGE_SELF, &r);
    return r.ru_utime.tv_sec + r.ru_utime.tv_usec / 1e6 + r.ru_stime.tv_sec + r.ru_stime.tv_usec / 1e6;
}

static struct sockaddr_in loopback(int port) {
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(0x7f000001) };
    return a;
}

static int reader(int n, int port) {
    int l = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    struct sockaddr_in a = loopback(port);
    setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(l, (void *)&a, sizeof a) || listen(l, 8192)) { perror("listen"); return 1; }
    int ep = epoll_create1(0);
    for (int i = 0; i < n; i++) {
        int c = accept(l, 0, 0);
        struct epoll_event e = { .events = EPOLLIN, .data.fd = c };
        epoll_ctl(ep, EPOLL_CTL_ADD, c, &e);
    }
    static char buf[65536];
    struct epoll_event ev[256];
    for (;;) {
        int k = epoll_wait(ep, ev, 256, -1);
        for (int i = 0; i < k; i++)
            if (read(ev[i].data.fd, buf, sizeof buf) <= 0) return 0;
    }
}

int main(int argc, char **argv) {
    if (argc < 4) { fprintf(stderr, "usage: %s reader N PORT | %s MODE(0|1) N PORT SECONDS [INTERVAL_MS]\n", argv[0], argv[0]); return 2; }
    int n = atoi(argv[2]), port = atoi(argv[3]);
    if (strcmp(argv[1], "reader") == 0) return reader(n, port);
    int mode = atoi(argv[1]);
    double seconds = argc > 4 ? atof(argv[4]) : 8;
    double interval = (argc > 5 ? atof(argv[5]) : 80) / 1000;
    /* 1 Mbps of media plus its framing: 10,500 bytes every 80 ms. */
    int send_bytes = (int)(131250 * interval), video_bytes = (send_bytes - 500) / 2;

    int *fd = malloc(n * sizeof *fd);
    for (int i = 0; i < n; i++) {
        struct sockaddr_in a = loopback(port);
        int one = 1;
        fd[i] = socket(AF_INET, SOCK_STREAM, 0);
        if (connect(fd[i], (void *)&a, sizeof a)) { perror("connect"); return 1; }
        setsockopt(fd[i], IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    /* Like a player's merged write: framing, a video frame, audio with framing, a video frame. */
    static char framing[1024], video[2][65536];
    if (video_bytes < 1 || video_bytes > 65536) { fprintf(stderr, "interval out of range\n"); return 2; }
    memset(video, 1, sizeof video);
    struct iovec *iov = calloc((size_t)n * PIECES, sizeof *iov);
    struct msghdr *msg = calloc(n, sizeof *msg);
    for (int i = 0; i < n; i++) {
        struct iovec *v = &iov[i * PIECES];
        v[0] = (struct iovec){ framing, 100 };
        v[1] = (struct iovec){ video[0], video_bytes };
        v[2] = (struct iovec){ framing + 100, 400 };
        v[3] = (struct iovec){ video[1], send_bytes - 500 - video_bytes };
        msg[i].msg_iov = v;
        msg[i].msg_iovlen = PIECES;
    }
    struct io_uring ring;
    if (mode == 1 && io_uring_queue_init(4096, &ring, 0)) { fprintf(stderr, "io_uring refused\n"); return 1; }
    sleep(1);

    double t0 = now(), c0 = cpu();
    long sends = 0, short_sends = 0;
    for (int round = 0; now() - t0 < seconds; round++) {
        while (now() < t0 + round * interval) usleep(200);
        if (mode == 0) {
            for (int i = 0; i < n; i++, sends++)
                if (sendmsg(fd[i], &msg[i], MSG_DONTWAIT) != send_bytes) short_sends++;
            continue;
        }
        for (int i = 0; i < n;) {
            int k = 0;
            for (; i < n && k < 4096; i++, k++)
                io_uring_prep_sendmsg(io_uring_get_sqe(&ring), fd[i], &msg[i], MSG_DONTWAIT);
            io_uring_submit_and_wait(&ring, k);
            struct io_uring_cqe *cqe;
            unsigned head, seen = 0;
            io_uring_for_each_cqe(&ring, head, cqe) {
                if (cqe->res != send_bytes) short_sends++;
                seen++;
            }
            io_uring_cq_advance(&ring, seen);
            sends += seen;
        }
    }
    double c1 = cpu(), t1 = now();
    printf("mode %d (%s), %d connections, %d bytes every %.1f ms: %.1f%% of a core, %.2f us per send, %ld sends, %ld short\n", mode,
           mode ? "io_uring" : "sendmsg", n, send_bytes, interval * 1000, (c1 - c0) / (t1 - t0) * 100, (c1 - c0) / sends * 1e6, sends, short_sends);
    return 0;
}
