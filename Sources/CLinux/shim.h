#ifndef SWITCHBOARD_CLINUX_SHIM_H
#define SWITCHBOARD_CLINUX_SHIM_H
// Linux calls that Glibc's Swift module does not carry: epoll, eventfd, accept4, pthread_setname_np.
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <pthread.h>

// pthread_setname_np needs _GNU_SOURCE, which the module cannot define for its users.
int pthread_setname_np(pthread_t thread, const char *name);

// accept4 (non-blocking, close-on-exec in one call) likewise.
struct sockaddr;
int accept4(int fd, struct sockaddr *address, unsigned int *length, int flags);
#endif
