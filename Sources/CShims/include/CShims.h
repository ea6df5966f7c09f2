#ifndef CLUSTERDECK_CSHIMS_H
#define CLUSTERDECK_CSHIMS_H

/// Asks the kernel to send `signal` to this process when the thread that spawned it exits.
/// Returns 0 on success, -1 with errno set otherwise (Swift does not import the variadic prctl).
int cd_set_parent_death_signal(int signal);

/// The layout of Linux's `struct ucred` (SO_PEERCRED), which glibc declares only under _GNU_SOURCE.
struct cd_peer_credentials {
    int pid;
    unsigned int uid;
    unsigned int gid;
};

#endif
