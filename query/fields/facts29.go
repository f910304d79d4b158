package fields

import "forensics/event"

// The event table as sysdig 0.29.3 sees it. Our event table (package
// event) follows current libs; the fields that classify an event
// (evt.type, evt.category, evt.is_io*, evt.is_wait and whether fd.* apply)
// must print what 0.29.3's own table says. The rows below were observed
// from sysdig 0.29.3 itself, one synthetic capture per event type, and
// TestOracleEventTable checks them again against it.

// category is an evt.category value.
type category uint8

const (
	cUnknown category = iota
	cOther
	cFile
	cNet
	cIPC
	cMemory
	cProcess
	cSleep
	cSystem
	cSignal
	cUser
	cTime
	cWait
	cScheduler
)

var categoryNames = [...]string{cUnknown: "unknown", cOther: "other", cFile: "file", cNet: "net", cIPC: "IPC",
	cMemory: "memory", cProcess: "process", cSleep: "sleep", cSystem: "system", cSignal: "signal", cUser: "user",
	cTime: "time", cWait: "wait", cScheduler: "scheduler"}

func (c category) String() string { return categoryNames[c] }

// factFlags are the event-table flags the fields use.
type factFlags uint8

const (
	fRead   factFlags = 1 << iota // EF_READS_FROM_FD: evt.is_io_read
	fWrite                        // EF_WRITES_TO_FD: evt.is_io_write
	fWait                         // EF_WAITS: evt.is_wait
	fFD                           // EF_CREATES_FD, EF_USES_FD or EF_DESTROYS_FD: fd.* apply
	fUsesFD                       // an enter event whose first parameter is the fd (EF_USES_FD)
	fIO                           // an EC_IO_* category: evt.category is the fd's kind
)

// evtFact is one row of the table.
type evtFact struct {
	name  string // evt.type; "" for the generic events, named by their ID
	cat   category
	flags factFlags
}

// maxType29 is PPM_EVENT_MAX of sysdig 0.29.3: it neither knows nor prints
// the types at and above it.
const maxType29 = 336

var facts29 = [maxType29]evtFact{
	{"", cOther, 0},                                            // 0
	{"", cOther, 0},                                            // 1
	{"open", cFile, fFD},                                       // 2
	{"open", cFile, fFD},                                       // 3
	{"close", cUnknown, fFD | fUsesFD | fIO},                   // 4
	{"close", cUnknown, fFD | fIO},                             // 5
	{"read", cUnknown, fRead | fFD | fUsesFD | fIO},            // 6
	{"read", cUnknown, fRead | fFD | fIO},                      // 7
	{"write", cUnknown, fWrite | fFD | fUsesFD | fIO},          // 8
	{"write", cUnknown, fWrite | fFD | fIO},                    // 9
	{"brk", cMemory, 0},                                        // 10
	{"brk", cMemory, 0},                                        // 11
	{"execve", cProcess, 0},                                    // 12
	{"execve", cProcess, 0},                                    // 13
	{"clone", cProcess, 0},                                     // 14
	{"clone", cProcess, 0},                                     // 15
	{"procexit", cProcess, 0},                                  // 16
	{"NA1", cProcess, 0},                                       // 17
	{"socket", cNet, fFD},                                      // 18
	{"socket", cNet, fFD},                                      // 19
	{"bind", cNet, fFD | fUsesFD},                              // 20
	{"bind", cNet, fFD},                                        // 21
	{"connect", cNet, fFD | fUsesFD},                           // 22
	{"connect", cNet, fFD},                                     // 23
	{"listen", cNet, fFD | fUsesFD},                            // 24
	{"listen", cNet, fFD},                                      // 25
	{"accept", cNet, fFD},                                      // 26
	{"accept", cNet, fFD},                                      // 27
	{"send", cUnknown, fWrite | fFD | fUsesFD | fIO},           // 28
	{"send", cUnknown, fWrite | fFD | fIO},                     // 29
	{"sendto", cUnknown, fWrite | fFD | fUsesFD | fIO},         // 30
	{"sendto", cUnknown, fWrite | fFD | fIO},                   // 31
	{"recv", cUnknown, fRead | fFD | fUsesFD | fIO},            // 32
	{"recv", cUnknown, fRead | fFD | fIO},                      // 33
	{"recvfrom", cUnknown, fRead | fFD | fUsesFD | fIO},        // 34
	{"recvfrom", cUnknown, fRead | fFD | fIO},                  // 35
	{"shutdown", cNet, fFD | fUsesFD},                          // 36
	{"shutdown", cNet, fFD},                                    // 37
	{"getsockname", cNet, 0},                                   // 38
	{"getsockname", cNet, 0},                                   // 39
	{"getpeername", cNet, 0},                                   // 40
	{"getpeername", cNet, 0},                                   // 41
	{"socketpair", cIPC, fFD},                                  // 42
	{"socketpair", cIPC, fFD},                                  // 43
	{"setsockopt", cNet, 0},                                    // 44
	{"setsockopt", cNet, fFD},                                  // 45
	{"getsockopt", cNet, 0},                                    // 46
	{"getsockopt", cNet, fFD},                                  // 47
	{"sendmsg", cUnknown, fWrite | fFD | fUsesFD | fIO},        // 48
	{"sendmsg", cUnknown, fWrite | fFD | fIO},                  // 49
	{"sendmmsg", cUnknown, 0},                                  // 50
	{"sendmmsg", cUnknown, 0},                                  // 51
	{"recvmsg", cUnknown, fRead | fFD | fUsesFD | fIO},         // 52
	{"recvmsg", cUnknown, fRead | fFD | fIO},                   // 53
	{"recvmmsg", cUnknown, 0},                                  // 54
	{"recvmmsg", cUnknown, 0},                                  // 55
	{"accept", cNet, fFD},                                      // 56
	{"accept", cNet, fFD},                                      // 57
	{"creat", cFile, fFD},                                      // 58
	{"creat", cFile, fFD},                                      // 59
	{"pipe", cIPC, fFD},                                        // 60
	{"pipe", cIPC, fFD},                                        // 61
	{"eventfd", cIPC, fFD},                                     // 62
	{"eventfd", cIPC, fFD},                                     // 63
	{"futex", cIPC, 0},                                         // 64
	{"futex", cIPC, 0},                                         // 65
	{"stat", cFile, 0},                                         // 66
	{"stat", cFile, 0},                                         // 67
	{"lstat", cFile, 0},                                        // 68
	{"lstat", cFile, 0},                                        // 69
	{"fstat", cFile, fFD | fUsesFD},                            // 70
	{"fstat", cFile, fFD},                                      // 71
	{"stat64", cFile, 0},                                       // 72
	{"stat64", cFile, 0},                                       // 73
	{"lstat64", cFile, 0},                                      // 74
	{"lstat64", cFile, 0},                                      // 75
	{"fstat64", cFile, fFD | fUsesFD},                          // 76
	{"fstat64", cFile, fFD},                                    // 77
	{"epoll_wait", cWait, fWait},                               // 78
	{"epoll_wait", cWait, fWait},                               // 79
	{"poll", cWait, fWait},                                     // 80
	{"poll", cWait, fWait},                                     // 81
	{"select", cWait, fWait},                                   // 82
	{"select", cWait, fWait},                                   // 83
	{"select", cWait, fWait},                                   // 84
	{"select", cWait, fWait},                                   // 85
	{"lseek", cFile, fFD | fUsesFD},                            // 86
	{"lseek", cFile, fFD},                                      // 87
	{"llseek", cFile, fFD | fUsesFD},                           // 88
	{"llseek", cFile, fFD},                                     // 89
	{"ioctl", cUnknown, fFD | fUsesFD | fIO},                   // 90
	{"ioctl", cUnknown, fFD | fIO},                             // 91
	{"getcwd", cFile, 0},                                       // 92
	{"getcwd", cFile, 0},                                       // 93
	{"chdir", cFile, 0},                                        // 94
	{"chdir", cFile, 0},                                        // 95
	{"fchdir", cFile, fFD | fUsesFD},                           // 96
	{"fchdir", cFile, fFD},                                     // 97
	{"mkdir", cFile, 0},                                        // 98
	{"mkdir", cFile, 0},                                        // 99
	{"rmdir", cFile, 0},                                        // 100
	{"rmdir", cFile, 0},                                        // 101
	{"openat", cFile, fFD},                                     // 102
	{"openat", cFile, fFD},                                     // 103
	{"link", cFile, 0},                                         // 104
	{"link", cFile, 0},                                         // 105
	{"linkat", cFile, 0},                                       // 106
	{"linkat", cFile, 0},                                       // 107
	{"unlink", cFile, 0},                                       // 108
	{"unlink", cFile, 0},                                       // 109
	{"unlinkat", cFile, 0},                                     // 110
	{"unlinkat", cFile, 0},                                     // 111
	{"pread", cUnknown, fRead | fFD | fUsesFD | fIO},           // 112
	{"pread", cUnknown, fRead | fFD | fIO},                     // 113
	{"pwrite", cUnknown, fWrite | fFD | fUsesFD | fIO},         // 114
	{"pwrite", cUnknown, fWrite | fFD | fIO},                   // 115
	{"readv", cUnknown, fRead | fFD | fUsesFD | fIO},           // 116
	{"readv", cUnknown, fRead | fFD | fIO},                     // 117
	{"writev", cUnknown, fWrite | fFD | fUsesFD | fIO},         // 118
	{"writev", cUnknown, fWrite | fFD | fIO},                   // 119
	{"preadv", cUnknown, fRead | fFD | fUsesFD | fIO},          // 120
	{"preadv", cUnknown, fRead | fFD | fIO},                    // 121
	{"pwritev", cUnknown, fWrite | fFD | fUsesFD | fIO},        // 122
	{"pwritev", cUnknown, fWrite | fFD | fIO},                  // 123
	{"dup", cUnknown, fFD | fUsesFD | fIO},                     // 124
	{"dup", cUnknown, fFD | fIO},                               // 125
	{"signalfd", cSignal, fFD},                                 // 126
	{"signalfd", cSignal, fFD},                                 // 127
	{"kill", cSignal, 0},                                       // 128
	{"kill", cSignal, 0},                                       // 129
	{"tkill", cSignal, 0},                                      // 130
	{"tkill", cSignal, 0},                                      // 131
	{"tgkill", cSignal, 0},                                     // 132
	{"tgkill", cSignal, 0},                                     // 133
	{"nanosleep", cSleep, fWait},                               // 134
	{"nanosleep", cSleep, fWait},                               // 135
	{"timerfd_create", cTime, fFD},                             // 136
	{"timerfd_create", cTime, fFD},                             // 137
	{"inotify_init", cIPC, fFD},                                // 138
	{"inotify_init", cIPC, fFD},                                // 139
	{"getrlimit", cProcess, 0},                                 // 140
	{"getrlimit", cProcess, 0},                                 // 141
	{"setrlimit", cProcess, 0},                                 // 142
	{"setrlimit", cProcess, 0},                                 // 143
	{"prlimit", cProcess, 0},                                   // 144
	{"prlimit", cProcess, 0},                                   // 145
	{"switch", cScheduler, 0},                                  // 146
	{"NA2", cScheduler, 0},                                     // 147
	{"drop", cUnknown, 0},                                      // 148
	{"drop", cUnknown, 0},                                      // 149
	{"fcntl", cUnknown, fFD | fUsesFD | fIO},                   // 150
	{"fcntl", cUnknown, fFD | fIO},                             // 151
	{"switch", cScheduler, 0},                                  // 152
	{"NA2", cScheduler, 0},                                     // 153
	{"execve", cProcess, 0},                                    // 154
	{"execve", cProcess, 0},                                    // 155
	{"clone", cProcess, 0},                                     // 156
	{"clone", cProcess, 0},                                     // 157
	{"brk", cMemory, 0},                                        // 158
	{"brk", cMemory, 0},                                        // 159
	{"mmap", cMemory, 0},                                       // 160
	{"mmap", cMemory, 0},                                       // 161
	{"mmap2", cMemory, 0},                                      // 162
	{"mmap2", cMemory, 0},                                      // 163
	{"munmap", cMemory, 0},                                     // 164
	{"munmap", cMemory, 0},                                     // 165
	{"splice", cUnknown, fFD | fUsesFD | fIO},                  // 166
	{"splice", cUnknown, fFD | fIO},                            // 167
	{"ptrace", cProcess, 0},                                    // 168
	{"ptrace", cProcess, 0},                                    // 169
	{"ioctl", cUnknown, fFD | fUsesFD | fIO},                   // 170
	{"ioctl", cUnknown, fFD | fIO},                             // 171
	{"execve", cProcess, 0},                                    // 172
	{"execve", cProcess, 0},                                    // 173
	{"rename", cFile, 0},                                       // 174
	{"rename", cFile, 0},                                       // 175
	{"renameat", cFile, 0},                                     // 176
	{"renameat", cFile, 0},                                     // 177
	{"symlink", cFile, 0},                                      // 178
	{"symlink", cFile, 0},                                      // 179
	{"symlinkat", cFile, 0},                                    // 180
	{"symlinkat", cFile, 0},                                    // 181
	{"fork", cProcess, 0},                                      // 182
	{"fork", cProcess, 0},                                      // 183
	{"vfork", cProcess, 0},                                     // 184
	{"vfork", cProcess, 0},                                     // 185
	{"procexit", cProcess, 0},                                  // 186
	{"NA1", cProcess, 0},                                       // 187
	{"sendfile", cUnknown, fFD | fUsesFD | fIO},                // 188
	{"sendfile", cUnknown, fFD | fIO},                          // 189
	{"quotactl", cUser, 0},                                     // 190
	{"quotactl", cUser, 0},                                     // 191
	{"setresuid", cUser, 0},                                    // 192
	{"setresuid", cUser, 0},                                    // 193
	{"setresgid", cUser, 0},                                    // 194
	{"setresgid", cUser, 0},                                    // 195
	{"sysdigevent", cUnknown, 0},                               // 196
	{"sysdigevent", cUnknown, 0},                               // 197
	{"setuid", cUser, 0},                                       // 198
	{"setuid", cUser, 0},                                       // 199
	{"setgid", cUser, 0},                                       // 200
	{"setgid", cUser, 0},                                       // 201
	{"getuid", cUser, 0},                                       // 202
	{"getuid", cUser, 0},                                       // 203
	{"geteuid", cUser, 0},                                      // 204
	{"geteuid", cUser, 0},                                      // 205
	{"getgid", cUser, 0},                                       // 206
	{"getgid", cUser, 0},                                       // 207
	{"getegid", cUser, 0},                                      // 208
	{"getegid", cUser, 0},                                      // 209
	{"getresuid", cUser, 0},                                    // 210
	{"getresuid", cUser, 0},                                    // 211
	{"getresgid", cUser, 0},                                    // 212
	{"getresgid", cUser, 0},                                    // 213
	{"execve", cProcess, 0},                                    // 214
	{"execve", cProcess, 0},                                    // 215
	{"clone", cProcess, 0},                                     // 216
	{"clone", cProcess, 0},                                     // 217
	{"fork", cProcess, 0},                                      // 218
	{"fork", cProcess, 0},                                      // 219
	{"vfork", cProcess, 0},                                     // 220
	{"vfork", cProcess, 0},                                     // 221
	{"clone", cProcess, 0},                                     // 222
	{"clone", cProcess, 0},                                     // 223
	{"fork", cProcess, 0},                                      // 224
	{"fork", cProcess, 0},                                      // 225
	{"vfork", cProcess, 0},                                     // 226
	{"vfork", cProcess, 0},                                     // 227
	{"container", cUnknown, 0},                                 // 228
	{"container", cUnknown, 0},                                 // 229
	{"execve", cProcess, 0},                                    // 230
	{"execve", cProcess, 0},                                    // 231
	{"signaldeliver", cSignal, 0},                              // 232
	{"signaldeliver", cSignal, 0},                              // 233
	{"procinfo", cUnknown, 0},                                  // 234
	{"NA2", cUnknown, 0},                                       // 235
	{"getdents", cFile, fFD | fUsesFD},                         // 236
	{"getdents", cFile, fFD},                                   // 237
	{"getdents64", cFile, fFD | fUsesFD},                       // 238
	{"getdents64", cFile, fFD},                                 // 239
	{"setns", cProcess, fFD | fUsesFD},                         // 240
	{"setns", cProcess, fFD},                                   // 241
	{"flock", cFile, fFD | fUsesFD},                            // 242
	{"flock", cFile, fFD},                                      // 243
	{"cpu_hotplug", cSystem, 0},                                // 244
	{"NA2", cSystem, 0},                                        // 245
	{"accept", cNet, fFD},                                      // 246
	{"accept", cNet, fFD},                                      // 247
	{"accept", cNet, fFD},                                      // 248
	{"accept", cNet, fFD},                                      // 249
	{"semop", cProcess, 0},                                     // 250
	{"semop", cProcess, 0},                                     // 251
	{"semctl", cProcess, 0},                                    // 252
	{"semctl", cProcess, 0},                                    // 253
	{"ppoll", cWait, fWait},                                    // 254
	{"ppoll", cWait, fWait},                                    // 255
	{"mount", cFile, 0},                                        // 256
	{"mount", cFile, 0},                                        // 257
	{"umount", cFile, 0},                                       // 258
	{"umount", cFile, 0},                                       // 259
	{"k8s", cUnknown, 0},                                       // 260
	{"NA3", cSystem, 0},                                        // 261
	{"semget", cProcess, 0},                                    // 262
	{"semget", cProcess, 0},                                    // 263
	{"access", cFile, 0},                                       // 264
	{"access", cFile, 0},                                       // 265
	{"chroot", cProcess, 0},                                    // 266
	{"chroot", cProcess, 0},                                    // 267
	{"tracer", cOther, 0},                                      // 268
	{"tracer", cOther, 0},                                      // 269
	{"mesos", cUnknown, 0},                                     // 270
	{"NA4", cSystem, 0},                                        // 271
	{"container", cUnknown, 0},                                 // 272
	{"container", cProcess, 0},                                 // 273
	{"setsid", cProcess, 0},                                    // 274
	{"setsid", cProcess, 0},                                    // 275
	{"mkdir", cFile, 0},                                        // 276
	{"mkdir", cFile, 0},                                        // 277
	{"rmdir", cFile, 0},                                        // 278
	{"rmdir", cFile, 0},                                        // 279
	{"notification", cOther, 0},                                // 280
	{"NA4", cSystem, 0},                                        // 281
	{"execve", cProcess, 0},                                    // 282
	{"execve", cProcess, 0},                                    // 283
	{"unshare", cProcess, 0},                                   // 284
	{"unshare", cProcess, 0},                                   // 285
	{"infra", cUnknown, 0},                                     // 286
	{"NA4", cSystem, 0},                                        // 287
	{"execve", cProcess, 0},                                    // 288
	{"execve", cProcess, 0},                                    // 289
	{"page_fault", cOther, 0},                                  // 290
	{"NA5", cOther, 0},                                         // 291
	{"execve", cProcess, 0},                                    // 292
	{"execve", cProcess, 0},                                    // 293
	{"setpgid", cProcess, 0},                                   // 294
	{"setpgid", cProcess, 0},                                   // 295
	{"bpf", cOther, fFD},                                       // 296
	{"bpf", cOther, fFD},                                       // 297
	{"seccomp", cOther, 0},                                     // 298
	{"seccomp", cOther, 0},                                     // 299
	{"unlink", cFile, 0},                                       // 300
	{"unlink", cFile, 0},                                       // 301
	{"unlinkat", cFile, 0},                                     // 302
	{"unlinkat", cFile, 0},                                     // 303
	{"mkdirat", cFile, 0},                                      // 304
	{"mkdirat", cFile, 0},                                      // 305
	{"openat", cFile, fFD},                                     // 306
	{"openat", cFile, fFD},                                     // 307
	{"link", cFile, 0},                                         // 308
	{"link", cFile, 0},                                         // 309
	{"linkat", cFile, 0},                                       // 310
	{"linkat", cFile, 0},                                       // 311
	{"fchmodat", cFile, 0},                                     // 312
	{"fchmodat", cFile, 0},                                     // 313
	{"chmod", cFile, 0},                                        // 314
	{"chmod", cFile, 0},                                        // 315
	{"fchmod", cFile, 0},                                       // 316
	{"fchmod", cFile, 0},                                       // 317
	{"renameat2", cFile, 0},                                    // 318
	{"renameat2", cFile, 0},                                    // 319
	{"userfaultfd", cFile, fFD},                                // 320
	{"userfaultfd", cFile, fFD},                                // 321
	{"pluginevent", cOther, 0},                                 // 322
	{"pluginevent", cOther, 0},                                 // 323
	{"container", cUnknown, 0},                                 // 324
	{"container", cProcess, 0},                                 // 325
	{"openat2", cFile, fFD},                                    // 326
	{"openat2", cFile, fFD},                                    // 327
	{"mprotect", cMemory, 0},                                   // 328
	{"mprotect", cMemory, 0},                                   // 329
	{"execveat", cProcess, 0},                                  // 330
	{"execveat", cProcess, 0},                                  // 331
	{"copy_file_range", cFile, fRead | fWrite | fFD | fUsesFD}, // 332
	{"copy_file_range", cFile, fRead | fWrite | fFD},           // 333
	{"clone3", cProcess, 0},                                    // 334
	{"clone3", cProcess, 0},                                    // 335
}

// syscallFact names a system call of a generic event (the ppm_sc code in
// its ID parameter) and gives its category.
type syscallFact struct {
	name string
	cat  category
}

// syscalls29 is sysdig 0.29.3's system call table, by ppm_sc code; a code
// past its end has no name (evt.type is missing).
var syscalls29 = [...]syscallFact{
	{"<unknown>", cOther},                // 0
	{"restart_syscall", cSystem},         // 1
	{"exit", cProcess},                   // 2
	{"read", cUnknown},                   // 3
	{"write", cUnknown},                  // 4
	{"open", cFile},                      // 5
	{"close", cFile},                     // 6
	{"creat", cFile},                     // 7
	{"link", cFile},                      // 8
	{"unlink", cFile},                    // 9
	{"chdir", cFile},                     // 10
	{"time", cTime},                      // 11
	{"mknod", cFile},                     // 12
	{"chmod", cFile},                     // 13
	{"stat", cFile},                      // 14
	{"lseek", cFile},                     // 15
	{"getpid", cProcess},                 // 16
	{"mount", cFile},                     // 17
	{"ptrace", cOther},                   // 18
	{"alarm", cTime},                     // 19
	{"fstat", cFile},                     // 20
	{"pause", cWait},                     // 21
	{"utime", cTime},                     // 22
	{"access", cFile},                    // 23
	{"sync", cUnknown},                   // 24
	{"kill", cIPC},                       // 25
	{"rename", cFile},                    // 26
	{"mkdir", cFile},                     // 27
	{"rmdir", cFile},                     // 28
	{"dup", cUnknown},                    // 29
	{"pipe", cIPC},                       // 30
	{"times", cTime},                     // 31
	{"brk", cMemory},                     // 32
	{"acct", cProcess},                   // 33
	{"ioctl", cUnknown},                  // 34
	{"fcntl", cWait},                     // 35
	{"setpgid", cProcess},                // 36
	{"umask", cProcess},                  // 37
	{"chroot", cIPC},                     // 38
	{"ustat", cFile},                     // 39
	{"dup2", cUnknown},                   // 40
	{"getppid", cProcess},                // 41
	{"getpgrp", cProcess},                // 42
	{"setsid", cProcess},                 // 43
	{"sethostname", cSystem},             // 44
	{"setrlimit", cProcess},              // 45
	{"getrusage", cProcess},              // 46
	{"gettimeofday", cTime},              // 47
	{"settimeofday", cTime},              // 48
	{"symlink", cFile},                   // 49
	{"lstat", cFile},                     // 50
	{"readlink", cFile},                  // 51
	{"uselib", cProcess},                 // 52
	{"swapon", cProcess},                 // 53
	{"reboot", cSystem},                  // 54
	{"mmap", cFile},                      // 55
	{"munmap", cFile},                    // 56
	{"truncate", cFile},                  // 57
	{"ftruncate", cFile},                 // 58
	{"fchmod", cFile},                    // 59
	{"getpriority", cProcess},            // 60
	{"setpriority", cProcess},            // 61
	{"statfs", cFile},                    // 62
	{"fstatfs", cFile},                   // 63
	{"syslog", cSystem},                  // 64
	{"setitimer", cTime},                 // 65
	{"getitimer", cTime},                 // 66
	{"uname", cSystem},                   // 67
	{"vhangup", cOther},                  // 68
	{"wait4", cWait},                     // 69
	{"swapoff", cSystem},                 // 70
	{"sysinfo", cSystem},                 // 71
	{"fsync", cUnknown},                  // 72
	{"setdomainname", cSystem},           // 73
	{"adjtimex", cSystem},                // 74
	{"mprotect", cMemory},                // 75
	{"init_module", cSystem},             // 76
	{"delete_module", cSystem},           // 77
	{"quotactl", cSystem},                // 78
	{"getpgid", cProcess},                // 79
	{"fchdir", cFile},                    // 80
	{"sysfs", cSystem},                   // 81
	{"personality", cProcess},            // 82
	{"getdents", cFile},                  // 83
	{"select", cWait},                    // 84
	{"flock", cFile},                     // 85
	{"msync", cUnknown},                  // 86
	{"readv", cUnknown},                  // 87
	{"writev", cUnknown},                 // 88
	{"getsid", cProcess},                 // 89
	{"fdatasync", cUnknown},              // 90
	{"mlock", cMemory},                   // 91
	{"munlock", cMemory},                 // 92
	{"mlockall", cMemory},                // 93
	{"munlockall", cMemory},              // 94
	{"sched_setparam", cProcess},         // 95
	{"sched_getparam", cProcess},         // 96
	{"sched_setscheduler", cProcess},     // 97
	{"sched_getscheduler", cProcess},     // 98
	{"sched_yield", cSleep},              // 99
	{"sched_get_priority_max", cProcess}, // 100
	{"sched_get_priority_min", cProcess}, // 101
	{"sched_rr_get_interval", cProcess},  // 102
	{"nanosleep", cSleep},                // 103
	{"mremap", cFile},                    // 104
	{"poll", cWait},                      // 105
	{"prctl", cProcess},                  // 106
	{"rt_sigaction", cSignal},            // 107
	{"rt_sigprocmask", cSignal},          // 108
	{"rt_sigpending", cSignal},           // 109
	{"rt_sigtimedwait", cSignal},         // 110
	{"rt_sigqueueinfo", cSignal},         // 111
	{"rt_sigsuspend", cSignal},           // 112
	{"getcwd", cFile},                    // 113
	{"capget", cProcess},                 // 114
	{"capset", cProcess},                 // 115
	{"sendfile", cFile},                  // 116
	{"getrlimit", cProcess},              // 117
	{"lchown", cFile},                    // 118
	{"getuid", cUser},                    // 119
	{"getgid", cUser},                    // 120
	{"geteuid", cUser},                   // 121
	{"getegid", cUser},                   // 122
	{"setreuid", cUser},                  // 123
	{"setregid", cUser},                  // 124
	{"getgroups", cUser},                 // 125
	{"setgroups", cUser},                 // 126
	{"fchown", cFile},                    // 127
	{"setresuid", cUser},                 // 128
	{"getresuid", cUser},                 // 129
	{"setresgid", cUser},                 // 130
	{"getresgid", cUser},                 // 131
	{"chown", cFile},                     // 132
	{"setuid", cUser},                    // 133
	{"setgid", cUser},                    // 134
	{"setfsuid", cUser},                  // 135
	{"setfsgid", cUser},                  // 136
	{"pivot_root", cProcess},             // 137
	{"mincore", cMemory},                 // 138
	{"madvise", cMemory},                 // 139
	{"gettid", cProcess},                 // 140
	{"setxattr", cFile},                  // 141
	{"lsetxattr", cFile},                 // 142
	{"fsetxattr", cFile},                 // 143
	{"getxattr", cFile},                  // 144
	{"lgetxattr", cFile},                 // 145
	{"fgetxattr", cFile},                 // 146
	{"listxattr", cFile},                 // 147
	{"llistxattr", cFile},                // 148
	{"flistxattr", cFile},                // 149
	{"removexattr", cFile},               // 150
	{"lremovexattr", cFile},              // 151
	{"fremovexattr", cFile},              // 152
	{"tkill", cSignal},                   // 153
	{"futex", cIPC},                      // 154
	{"sched_setaffinity", cProcess},      // 155
	{"sched_getaffinity", cProcess},      // 156
	{"set_thread_area", cProcess},        // 157
	{"get_thread_area", cProcess},        // 158
	{"io_setup", cUnknown},               // 159
	{"io_destroy", cUnknown},             // 160
	{"io_getevents", cUnknown},           // 161
	{"io_submit", cUnknown},              // 162
	{"io_cancel", cUnknown},              // 163
	{"exit_group", cUnknown},             // 164
	{"epoll_create", cWait},              // 165
	{"epoll_ctl", cWait},                 // 166
	{"epoll_wait", cWait},                // 167
	{"remap_file_pages", cFile},          // 168
	{"set_tid_address", cProcess},        // 169
	{"timer_create", cTime},              // 170
	{"timer_settime", cTime},             // 171
	{"timer_gettime", cTime},             // 172
	{"timer_getoverrun", cTime},          // 173
	{"timer_delete", cTime},              // 174
	{"clock_settime", cTime},             // 175
	{"clock_gettime", cTime},             // 176
	{"clock_getres", cTime},              // 177
	{"clock_nanosleep", cSleep},          // 178
	{"tgkill", cSignal},                  // 179
	{"utimes", cFile},                    // 180
	{"mq_open", cIPC},                    // 181
	{"mq_unlink", cIPC},                  // 182
	{"mq_timedsend", cIPC},               // 183
	{"mq_timedreceive", cIPC},            // 184
	{"mq_notify", cIPC},                  // 185
	{"mq_getsetattr", cIPC},              // 186
	{"kexec_load", cSystem},              // 187
	{"waitid", cWait},                    // 188
	{"add_key", cSystem},                 // 189
	{"request_key", cSystem},             // 190
	{"keyctl", cSystem},                  // 191
	{"ioprio_set", cProcess},             // 192
	{"ioprio_get", cProcess},             // 193
	{"inotify_init", cIPC},               // 194
	{"inotify_add_watch", cIPC},          // 195
	{"inotify_rm_watch", cIPC},           // 196
	{"openat", cFile},                    // 197
	{"mkdirat", cFile},                   // 198
	{"mknodat", cFile},                   // 199
	{"fchownat", cFile},                  // 200
	{"futimesat", cFile},                 // 201
	{"unlinkat", cFile},                  // 202
	{"renameat", cFile},                  // 203
	{"linkat", cFile},                    // 204
	{"symlinkat", cFile},                 // 205
	{"readlinkat", cFile},                // 206
	{"fchmodat", cFile},                  // 207
	{"faccessat", cFile},                 // 208
	{"pselect6", cWait},                  // 209
	{"ppoll", cWait},                     // 210
	{"unshare", cProcess},                // 211
	{"set_robust_list", cProcess},        // 212
	{"get_robust_list", cProcess},        // 213
	{"splice", cIPC},                     // 214
	{"tee", cIPC},                        // 215
	{"vmsplice", cIPC},                   // 216
	{"getcpu", cProcess},                 // 217
	{"epoll_pwait", cWait},               // 218
	{"utimensat", cFile},                 // 219
	{"signalfd", cSignal},                // 220
	{"timerfd_create", cTime},            // 221
	{"eventfd", cIPC},                    // 222
	{"timerfd_settime", cTime},           // 223
	{"timerfd_gettime", cTime},           // 224
	{"signalfd4", cSignal},               // 225
	{"eventfd2", cIPC},                   // 226
	{"epoll_create1", cWait},             // 227
	{"dup3", cUnknown},                   // 228
	{"pipe2", cIPC},                      // 229
	{"inotify_init1", cIPC},              // 230
	{"preadv", cUnknown},                 // 231
	{"pwritev", cUnknown},                // 232
	{"rt_tgsigqueueinfo", cOther},        // 233
	{"perf_event_open", cOther},          // 234
	{"fanotify_init", cIPC},              // 235
	{"prlimit64", cProcess},              // 236
	{"clock_adjtime", cOther},            // 237
	{"syncfs", cFile},                    // 238
	{"setns", cProcess},                  // 239
	{"getdents64", cIPC},                 // 240
	{"socket", cNet},                     // 241
	{"bind", cNet},                       // 242
	{"connect", cNet},                    // 243
	{"listen", cNet},                     // 244
	{"accept", cNet},                     // 245
	{"getsockname", cNet},                // 246
	{"getpeername", cNet},                // 247
	{"socketpair", cNet},                 // 248
	{"sendto", cNet},                     // 249
	{"recvfrom", cNet},                   // 250
	{"shutdown", cNet},                   // 251
	{"setsockopt", cNet},                 // 252
	{"getsockopt", cNet},                 // 253
	{"sendmsg", cNet},                    // 254
	{"sendmmsg", cNet},                   // 255
	{"recvmsg", cNet},                    // 256
	{"recvmmsg", cNet},                   // 257
	{"accept4", cNet},                    // 258
	{"semop", cIPC},                      // 259
	{"semget", cIPC},                     // 260
	{"semctl", cIPC},                     // 261
	{"msgsnd", cIPC},                     // 262
	{"msgrcv", cIPC},                     // 263
	{"msgget", cIPC},                     // 264
	{"msgctl", cIPC},                     // 265
	{"shmdt", cIPC},                      // 266
	{"shmget", cIPC},                     // 267
	{"shmctl", cIPC},                     // 268
	{"statfs64", cFile},                  // 269
	{"fstatfs64", cFile},                 // 270
	{"fstatat64", cFile},                 // 271
	{"sendfile64", cFile},                // 272
	{"ugetrlimit", cProcess},             // 273
	{"bdflush", cOther},                  // 274
	{"sigprocmask", cSignal},             // 275
	{"ipc", cIPC},                        // 276
	{"socketcall", cNet},                 // 277
	{"stat64", cFile},                    // 278
	{"lstat64", cFile},                   // 279
	{"fstat64", cFile},                   // 280
	{"fcntl64", cFile},                   // 281
	{"mmap2", cFile},                     // 282
	{"newselect", cWait},                 // 283
	{"sgetmask", cSignal},                // 284
	{"ssetmask", cSignal},                // 285
	{"sigpending", cSignal},              // 286
	{"olduname", cSystem},                // 287
	{"umount", cFile},                    // 288
	{"signal", cSignal},                  // 289
	{"nice", cProcess},                   // 290
	{"stime", cTime},                     // 291
	{"llseek", cFile},                    // 292
	{"waitpid", cWait},                   // 293
	{"pread64", cFile},                   // 294
	{"pwrite64", cFile},                  // 295
	{"arch_prctl", cProcess},             // 296
	{"shmat", cIPC},                      // 297
	{"sigreturn", cSignal},               // 298
	{"fallocate", cUnknown},              // 299
	{"newfstatat", cUnknown},             // 300
	{"process_vm_readv", cUnknown},       // 301
	{"process_vm_writev", cUnknown},      // 302
	{"fork", cUnknown},                   // 303
	{"vfork", cUnknown},                  // 304
	{"setuid", cUnknown},                 // 305
	{"getuid", cUnknown},                 // 306
	{"setgid", cUnknown},                 // 307
	{"geteuid", cUnknown},                // 308
	{"getgid", cUnknown},                 // 309
	{"setresuid", cUnknown},              // 310
	{"setresgid", cUnknown},              // 311
	{"getresuid", cUnknown},              // 312
	{"getresgid", cUnknown},              // 313
	{"finit_module", cSystem},            // 314
	{"bpf", cOther},                      // 315
	{"seccomp", cOther},                  // 316
	{"sigaltstack", cUnknown},            // 317
	{"getrandom", cUnknown},              // 318
	{"fadvise64", cUnknown},              // 319
	{"renameat2", cFile},                 // 320
	{"userfaultfd", cFile},               // 321
	{"openat2", cFile},                   // 322
	{"umount2", cFile},                   // 323
	{"execve", cSystem},                  // 324
	{"execveat", cSystem},                // 325
	{"copy_file_range", cFile},           // 326
	{"clone", cProcess},                  // 327
	{"clone3", cProcess},                 // 328
}

// newTypeCategories gives the category of the event names sysdig 0.29.3
// does not know (types at or above maxType29), as current libs classify
// them; io marks the EC_IO_* ones.
var newTypeCategories = map[string]struct {
	cat category
	io  bool
}{
	"accept4": {cNet, false}, "asyncevent": {cOther, false}, "capset": {cProcess, false},
	"chown": {cFile, false}, "lchown": {cFile, false}, "fchown": {cFile, false}, "fchownat": {cFile, false},
	"close_range": {cUnknown, true}, "dup2": {cUnknown, true}, "dup3": {cUnknown, true},
	"init_module": {cOther, false}, "finit_module": {cOther, false}, "delete_module": {cOther, false},
	"epoll_create": {cWait, false}, "epoll_create1": {cWait, false}, "eventfd2": {cIPC, false},
	"fsconfig": {cOther, false}, "inotify_init1": {cIPC, false}, "pipe2": {cIPC, false}, "signalfd4": {cSignal, false},
	"io_uring_setup": {cUnknown, true}, "io_uring_enter": {cUnknown, true}, "io_uring_register": {cUnknown, true},
	"keyctl": {cOther, false}, "memfd_create": {cMemory, false}, "mknod": {cFile, false}, "mknodat": {cFile, false},
	"mlock": {cMemory, false}, "mlock2": {cMemory, false}, "mlockall": {cMemory, false}, "munlock": {cMemory, false},
	"munlockall": {cMemory, false}, "newfstatat": {cFile, false}, "open_by_handle_at": {cFile, false},
	"pidfd_getfd": {cProcess, false}, "pidfd_open": {cProcess, false}, "prctl": {cProcess, false},
	"process_vm_readv": {cIPC, false}, "process_vm_writev": {cIPC, false}, "setreuid": {cUser, false},
	"setregid": {cUser, false}, "umount2": {cFile, false},
}

// factOf returns the classification of event type t: 0.29.3's row below
// maxType29; above it, a row built from our event table (current libs)
// and newTypeCategories. Internal events (useradded, the iterator
// events) and unknown types are "unknown".
func factOf(t event.Type) evtFact {
	if t < maxType29 {
		return facts29[t]
	}
	info := event.Lookup(t)
	if info == nil {
		return evtFact{name: t.String()}
	}
	f := evtFact{name: info.Name}
	if c, ok := newTypeCategories[info.Name]; ok {
		f.cat = c.cat
		if c.io {
			f.flags |= fIO
		}
	}
	if info.Flags&event.EFReadsFromFD != 0 {
		f.flags |= fRead
	}
	if info.Flags&event.EFWritesToFD != 0 {
		f.flags |= fWrite
	}
	if info.Flags&(event.EFCreatesFD|event.EFUsesFD|event.EFDestroysFD) != 0 {
		f.flags |= fFD
		if info.Dir() == event.DirEnter && info.Flags&event.EFUsesFD != 0 {
			f.flags |= fUsesFD
		}
	}
	return f
}
