/* gcc: a diagnostic (warning and error) */
int f(int x) {
  int unused;
  return x +;
}
