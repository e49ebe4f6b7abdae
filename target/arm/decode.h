// A64 instruction encodings as data: Dynarmic-style bit strings expanded at compile time into
// mask/match pairs and field extractors that call one trans_ visitor with the fields as arguments.
//
// A bit string has 32 characters, most significant bit first: '0'/'1' are fixed bits, '-' is a
// don't-care bit, and every letter names a field. Fields are passed to the visitor in the order
// their letters first appear, each converted to the visitor's parameter type; a field's bits must
// be contiguous (split immediates such as ADR's immlo/immhi use two letters).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <tuple>
#include <utility>

namespace mimic::arm {

struct DisasContext;

// Returns false when the encoding is unallocated after all (reserved field values): it must then
// not have emitted anything, and the caller emits the illegal-instruction exit.
using TransFn = bool (*)(DisasContext&, uint32_t insn);

struct Pattern {
  uint32_t mask = 0, match = 0;
  const char* name = "";
  TransFn fn = nullptr;
};

namespace decode_detail {

template <size_t N>
struct BitString {
  char s[N];
  consteval BitString(const char (&str)[N]) {
    if (N != 33) throw std::logic_error("A64 pattern must have 32 bits");
    for (size_t i = 0; i < N; ++i) s[i] = str[i];
  }
};

constexpr bool is_field(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

template <BitString B>
consteval uint32_t mask_of() {
  uint32_t m = 0;
  for (int i = 0; i < 32; ++i)
    if (B.s[i] == '0' || B.s[i] == '1') m |= 1u << (31 - i);
  return m;
}
template <BitString B>
consteval uint32_t match_of() {
  uint32_t m = 0;
  for (int i = 0; i < 32; ++i)
    if (B.s[i] == '1') m |= 1u << (31 - i);
  return m;
}
template <BitString B>
consteval size_t num_fields() {
  bool seen[128] = {};
  size_t n = 0;
  for (int i = 0; i < 32; ++i) {
    char c = B.s[i];
    if (!is_field(c)) {
      if (c != '0' && c != '1' && c != '-') throw std::logic_error("bad character in A64 pattern");
      continue;
    }
    if (!seen[int(c)]) ++n;
    seen[int(c)] = true;
  }
  return n;
}

struct Field {
  uint32_t mask;
  unsigned shift;
};

template <BitString B>
consteval std::array<Field, num_fields<B>()> fields_of() {
  std::array<Field, num_fields<B>()> f{};
  char order[32] = {};
  size_t n = 0;
  for (int i = 0; i < 32; ++i) {
    char c = B.s[i];
    if (!is_field(c)) continue;
    bool known = false;
    for (size_t k = 0; k < n; ++k) known |= order[k] == c;
    if (!known) order[n++] = c;
  }
  for (size_t k = 0; k < n; ++k) {
    uint32_t m = 0;
    for (int i = 0; i < 32; ++i)
      if (B.s[i] == order[k]) m |= 1u << (31 - i);
    unsigned shift = 0;
    while (!((m >> shift) & 1)) ++shift;
    uint32_t run = m >> shift;
    if ((run & (run + 1)) != 0) throw std::logic_error("A64 pattern field bits must be contiguous");
    f[k] = Field{m, shift};
  }
  return f;
}

template <class F>
struct FnTraits;
template <class R, class... P>
struct FnTraits<R (*)(DisasContext&, P...)> {
  static constexpr size_t kArity = sizeof...(P);
  template <size_t I>
  using Param = std::tuple_element_t<I, std::tuple<P...>>;
};

template <BitString B, auto Fn>
bool invoke(DisasContext& s, uint32_t insn) {
  using Traits = FnTraits<decltype(Fn)>;
  static constexpr auto kFields = fields_of<B>();
  static_assert(Traits::kArity == kFields.size(), "visitor arity must match the pattern's fields");
  return [&]<size_t... I>(std::index_sequence<I...>) {
    return Fn(s, static_cast<typename Traits::template Param<I>>((insn & kFields[I].mask) >> kFields[I].shift)...);
  }
  (std::make_index_sequence<kFields.size()>{});
}

}  // namespace decode_detail

// One table entry: the visitor is called as fn(DisasContext&, field1, field2, ...).
template <decode_detail::BitString B, auto Fn>
consteval Pattern make_pattern(const char* name) {
  return Pattern{decode_detail::mask_of<B>(), decode_detail::match_of<B>(), name, &decode_detail::invoke<B, Fn>};
}

// Finds the entry for `insn` (most specific mask first), or null for unallocated encodings.
const Pattern* decode(uint32_t insn);
// The whole table, for tests.
size_t num_patterns();
const Pattern& pattern(size_t i);

}  // namespace mimic::arm
