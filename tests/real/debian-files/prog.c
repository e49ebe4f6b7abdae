/* gcc: compiled with -O2 inside the sysroot, then run */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
struct node { int key; struct node *l, *r; };
static struct node *ins(struct node *t, int k) {
  if (!t) { t = calloc(1, sizeof *t); t->key = k; return t; }
  if (k < t->key) t->l = ins(t->l, k); else if (k > t->key) t->r = ins(t->r, k);
  return t;
}
static long sum(struct node *t, int d) { return t ? t->key * (long)d + sum(t->l, d + 1) + sum(t->r, d + 1) : 0; }
static int cmp(const void *a, const void *b) { return *(const int *)a - *(const int *)b; }
static void *thr(void *arg) { long *p = arg, s = 0; for (long i = 0; i < 1000000; i++) s += i % (*p + 3); *p = s; return 0; }
int main(int argc, char **argv) {
  struct node *t = 0; int a[1000];
  for (int i = 0; i < 1000; i++) { a[i] = (i * 7919) % 1009; t = ins(t, a[i]); }
  qsort(a, 1000, sizeof a[0], cmp);
  double s = 0; for (int i = 1; i < 100000; i++) s += sin(i) / i;
  pthread_t th[2]; long v[2] = {1, 2};
  for (int i = 0; i < 2; i++) pthread_create(&th[i], 0, thr, &v[i]);
  for (int i = 0; i < 2; i++) pthread_join(th[i], 0);
  char buf[64]; snprintf(buf, sizeof buf, "%s-%d", argc > 1 ? argv[1] : "none", a[999]);
  printf("%ld %d %d %.12f %s %zu %ld %ld\n", sum(t, 1), a[0], a[500], s, buf, strlen(buf), v[0], v[1]);
  return 3;
}
