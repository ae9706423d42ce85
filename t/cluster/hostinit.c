/*
 * hostinit - the PID 1 of one test host's pid namespace (see cluster.sh).
 *
 *   hostinit [-p PIDFILE] [--] CMD [ARGS...]
 *
 * Runs CMD as its only direct child, reaps every process that gets orphaned
 * inside the namespace, forwards SIGTERM/SIGINT/SIGHUP/SIGQUIT/SIGUSR1/
 * SIGUSR2 to CMD, and exits with CMD's status once CMD exits.  When PID 1 of
 * a pid namespace exits the kernel SIGKILLs everything else in it, so killing
 * CMD tears the whole host down.
 *
 * Why it exists: sshd forks a process per connection and each of those forks
 * the user's command; whenever a parent dies first its children are
 * re-parented to PID 1 of the namespace, and without a waitpid(-1) loop
 * there they stay zombies for the life of the test cluster.
 *
 * -p PIDFILE writes hostinit's pid as seen from the *root* pid namespace (so
 * the harness can signal and nsenter it).  That works because the host keeps
 * the root namespace's /proc mounted, where /proc/self names the global pid.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

static const int forwarded[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};
#define NFWD (sizeof forwarded / sizeof forwarded[0])

static void noop(int sig) { (void)sig; }

static void write_pidfile(const char *path)
{
    char self[32], tmp[PATH_MAX];
    ssize_t n = readlink("/proc/self", self, sizeof self - 1);
    if (n <= 0) {
        perror("hostinit: readlink /proc/self");
        exit(111);
    }
    self[n] = '\0';
    /* Write-then-rename: the harness polls for this file, and must never
     * see it half-written. */
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f || fprintf(f, "%s\n", self) < 0 || fclose(f) != 0 || rename(tmp, path) != 0) {
        perror("hostinit: write pidfile");
        exit(111);
    }
}

int main(int argc, char **argv)
{
    const char *pidfile = NULL;
    int i = 1;
    if (i + 1 < argc && strcmp(argv[i], "-p") == 0) {
        pidfile = argv[i + 1];
        i += 2;
    }
    if (i < argc && strcmp(argv[i], "--") == 0)
        i++;
    if (i >= argc) {
        fprintf(stderr, "usage: hostinit [-p PIDFILE] [--] CMD [ARGS...]\n");
        return 2;
    }

    /* Outside a fresh pid namespace (e.g. when debugging) we are not PID 1;
     * becoming a subreaper gives the same orphan-adoption semantics. */
    if (getpid() != 1)
        prctl(PR_SET_CHILD_SUBREAPER, 1);

    /* Signals are taken synchronously with sigwaitinfo, so they stay blocked.
     * Real (no-op) handlers are installed anyway: the kernel drops signals
     * sent to a namespace's init whose disposition is SIG_DFL, and we do not
     * want correctness to hinge on the "blocked signals are queued" rule. */
    sigset_t set, orig;
    sigemptyset(&set);
    sigaddset(&set, SIGCHLD);
    for (size_t k = 0; k < NFWD; k++)
        sigaddset(&set, forwarded[k]);
    sigprocmask(SIG_BLOCK, &set, &orig);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = noop;
    sigaction(SIGCHLD, &sa, NULL);
    for (size_t k = 0; k < NFWD; k++)
        sigaction(forwarded[k], &sa, NULL);
    /* Before the command starts: it may mount the namespace's own /proc,
     * after which /proc/self no longer names us as the harness sees us. */
    if (pidfile)
        write_pidfile(pidfile);

    pid_t child = fork();
    if (child < 0) {
        perror("hostinit: fork");
        return 111;
    }
    if (child == 0) {
        /* The command must start with default dispositions and mask. */
        sa.sa_handler = SIG_DFL;
        sigaction(SIGCHLD, &sa, NULL);
        for (size_t k = 0; k < NFWD; k++)
            sigaction(forwarded[k], &sa, NULL);
        sigprocmask(SIG_SETMASK, &orig, NULL);
        execvp(argv[i], argv + i);
        fprintf(stderr, "hostinit: exec %s: %s\n", argv[i], strerror(errno));
        _exit(127);
    }
    for (;;) {
        siginfo_t si;
        if (sigwaitinfo(&set, &si) < 0) {
            if (errno == EINTR)
                continue;
            perror("hostinit: sigwaitinfo");
            return 111;
        }
        if (si.si_signo != SIGCHLD) {
            kill(child, si.si_signo);
            continue;
        }
        /* SIGCHLD coalesces: one delivery may stand for many dead children. */
        int status;
        pid_t p;
        while ((p = waitpid(-1, &status, WNOHANG)) > 0) {
            if (p != child)
                continue;
            if (WIFEXITED(status))
                return WEXITSTATUS(status);
            return 128 + WTERMSIG(status);
        }
    }
}
