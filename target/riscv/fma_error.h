// The exact rounding error of a double-precision fused multiply-add (for RMM rounding).
#pragma once

#include <cmath>
#include <optional>

namespace mimic::riscv {

// For r1 = fma(a, b, c) rounded to nearest-even, returns e with a*b + c == r1 + e exactly, as a
// long double, when e is exactly representable in one (always so on a tie, which is all RMM
// needs: then e is plus or minus half an ulp of r1, a power of two). Uses the ErrFma algorithm
// of Boldo and Muller ("Exact and approximated error of the FMA", IEEE TC 2011): r1 + r2 + r3 is
// the exact value when nothing underflows, so results near the subnormal range are refused
// (nullopt) rather than guessed. Must run in round-to-nearest-even.
inline std::optional<long double> fma_error(double a, double b, double c, double r1) {
  if (!std::isfinite(r1) || r1 == 0) return std::nullopt;
  // Every intermediate below must stay normal for the error terms to be exact.
  constexpr double kTiny = 0x1p-900;
  if (std::fabs(r1) < kTiny || (a != 0 && b != 0 && std::fabs(a * b) < kTiny) || (c != 0 && std::fabs(c) < kTiny))
    return std::nullopt;
  auto two_sum = [](double x, double y, double& s, double& e) {
    s = x + y;
    double bb = s - x;
    e = (x - (s - bb)) + (y - bb);
  };
  double u1 = a * b;
  double u2 = std::fma(a, b, -u1);  // a*b == u1 + u2 exactly
  double alpha1, z, beta1, beta2;
  two_sum(c, u2, alpha1, z);
  two_sum(u1, alpha1, beta1, beta2);
  double gamma = (beta1 - r1) + beta2;
  double r2 = gamma + z;  // Fast2Sum(gamma, z): |gamma| >= |z| per the paper
  double r3 = z - (r2 - gamma);
  return (long double)r2 + (long double)r3;
}

}  // namespace mimic::riscv
