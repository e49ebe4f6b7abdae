/* System V IPC: a shared memory segment written by a forked child and read by the parent (and
   listed in /proc/self/maps), semaphores (SETVAL, semop, SETALL/GETALL, IPC_STAT, semtimedop
   timing out), and a message queue read by type. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

union semun {
  int val;
  struct semid_ds *buf;
  unsigned short *array;
};

static int maps_mention(const char *what) {
  FILE *f = fopen("/proc/self/maps", "r");
  char line[512];
  int found = 0;
  while (f && fgets(line, sizeof line, f))
    if (strstr(line, what)) found = 1;
  if (f) fclose(f);
  return found;
}

int main(void) {
  int shm = shmget(IPC_PRIVATE, 10000, IPC_CREAT | 0600);
  char *p = shmat(shm, NULL, 0);
  if (p == (void *)-1) return 1;
  strcpy(p, "parent wrote this");
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    strcpy(p + 100, "child was here");
    _exit(0);
  }
  waitpid(pid, NULL, 0);
  struct shmid_ds ds;
  shmctl(shm, IPC_STAT, &ds);
  printf("shm: '%s' / '%s', size %zu, attached %lu, in maps %d\n", p, p + 100, (size_t)ds.shm_segsz,
         (unsigned long)ds.shm_nattch, maps_mention("/SYSV00000000 (deleted)"));
  int first = shmdt(p);
  int again = shmdt(p);
  printf("shmdt: %d, then again: %d (%s)\n", first, again, errno == EINVAL ? "EINVAL" : "other");
  printf("IPC_RMID: %d\n", shmctl(shm, IPC_RMID, NULL));

  int sem = semget(IPC_PRIVATE, 2, IPC_CREAT | 0600);
  union semun arg;
  arg.val = 3;
  semctl(sem, 0, SETVAL, arg);
  struct sembuf down = {0, -1, 0};
  semop(sem, &down, 1);
  printf("sem: value after one down %d\n", semctl(sem, 0, GETVAL));
  unsigned short set[2] = {5, 7}, got[2] = {0, 0};
  arg.array = set;
  semctl(sem, 0, SETALL, arg);
  arg.array = got;
  semctl(sem, 0, GETALL, arg);
  struct semid_ds sds;
  arg.buf = &sds;
  semctl(sem, 0, IPC_STAT, arg);
  printf("sem: GETALL %u %u, nsems %lu, mode %o\n", got[0], got[1], (unsigned long)sds.sem_nsems,
         sds.sem_perm.mode & 0777);
  struct sembuf too_much = {1, -10, 0};
  struct timespec ts = {0, 10000000};
  int r = semtimedop(sem, &too_much, 1, &ts);
  printf("semtimedop that would block: %d (%s)\n", r, errno == EAGAIN ? "EAGAIN" : strerror(errno));
  printf("IPC_RMID: %d\n", semctl(sem, 0, IPC_RMID));

  int q = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
  struct {
    long type;
    char text[32];
  } m = {2, "two"};
  msgsnd(q, &m, 4, 0);
  m.type = 1;
  strcpy(m.text, "one");
  msgsnd(q, &m, 4, 0);
  struct msqid_ds qds;
  msgctl(q, IPC_STAT, &qds);
  printf("msg: %lu queued, %lu bytes\n", (unsigned long)qds.msg_qnum, (unsigned long)qds.msg_cbytes);
  ssize_t n = msgrcv(q, &m, sizeof m.text, 1, 0);
  printf("msgrcv type 1: %zd '%s'\n", n, m.text);
  n = msgrcv(q, &m, sizeof m.text, 0, 0);
  printf("msgrcv any: %zd '%s' (type %ld)\n", n, m.text, m.type);
  n = msgrcv(q, &m, sizeof m.text, 0, IPC_NOWAIT);
  printf("msgrcv on an empty queue: %zd (%s)\n", n, errno == ENOMSG ? "ENOMSG" : strerror(errno));
  printf("IPC_RMID: %d\n", msgctl(q, IPC_RMID, NULL));
  return 0;
}
