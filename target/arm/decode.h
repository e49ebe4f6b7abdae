// Arm instruction encodings as data (A64, A32, T32, T16): Dynarmic-style bit strings expanded at
// compile time into mask/match pairs and field extractors that call one trans_ visitor with the
// fields as arguments, and the matcher that finds an encoding's entry in a table of them.
//
// A bit string has 32 characters (A64, A32, and T32 as its two halfwords joined, first halfword
// in the high bits) or 16 (T16), most significant bit first: '0'/'1' are fixed bits, '-' is a
// don't-care bit, and every letter names a field. Fields are passed to the visitor in the order
// their letters first appear, each converted to the visitor's parameter type; a field's bits must
// be contiguous (split immediates such as ADR's immlo/immhi use two letters).
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <tuple>
#include <utility>
#include <vector>

namespace mimic::arm {

struct DisasContext;

// One table entry of a decoder whose visitors take a `Ctx&` (A64: DisasContext; AArch32: its own).
// fn returns false when the encoding is unallocated after all (reserved field values): it must
// then not have emitted anything, and the caller emits the illegal-instruction exit.
template <class Ctx>
struct BasicPattern {
  uint32_t mask = 0, match = 0;
  const char* name = "";
  bool (*fn)(Ctx&, uint32_t insn) = nullptr;
};
using Pattern = BasicPattern<DisasContext>;
using TransFn = bool (*)(DisasContext&, uint32_t insn);

namespace decode_detail {

template <size_t N>
struct BitString {
  static constexpr int kBits = int(N) - 1;
  char s[N];
  consteval BitString(const char (&str)[N]) {
    if (N != 33 && N != 17) throw std::logic_error("an Arm pattern must have 32 or 16 bits");
    for (size_t i = 0; i < N; ++i) s[i] = str[i];
  }
};

constexpr bool is_field(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

template <BitString B>
consteval uint32_t mask_of() {
  uint32_t m = 0;
  for (int i = 0; i < B.kBits; ++i)
    if (B.s[i] == '0' || B.s[i] == '1') m |= 1u << (B.kBits - 1 - i);
  return m;
}
template <BitString B>
consteval uint32_t match_of() {
  uint32_t m = 0;
  for (int i = 0; i < B.kBits; ++i)
    if (B.s[i] == '1') m |= 1u << (B.kBits - 1 - i);
  return m;
}
template <BitString B>
consteval size_t num_fields() {
  bool seen[128] = {};
  size_t n = 0;
  for (int i = 0; i < B.kBits; ++i) {
    char c = B.s[i];
    if (!is_field(c)) {
      if (c != '0' && c != '1' && c != '-') throw std::logic_error("bad character in an Arm pattern");
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
  for (int i = 0; i < B.kBits; ++i) {
    char c = B.s[i];
    if (!is_field(c)) continue;
    bool known = false;
    for (size_t k = 0; k < n; ++k) known |= order[k] == c;
    if (!known) order[n++] = c;
  }
  for (size_t k = 0; k < n; ++k) {
    uint32_t m = 0;
    for (int i = 0; i < B.kBits; ++i)
      if (B.s[i] == order[k]) m |= 1u << (B.kBits - 1 - i);
    unsigned shift = 0;
    while (!((m >> shift) & 1)) ++shift;
    uint32_t run = m >> shift;
    if ((run & (run + 1)) != 0) throw std::logic_error("Arm pattern field bits must be contiguous");
    f[k] = Field{m, shift};
  }
  return f;
}

template <class F>
struct FnTraits;
template <class R, class C, class... P>
struct FnTraits<R (*)(C&, P...)> {
  using Ctx = C;
  static constexpr size_t kArity = sizeof...(P);
  template <size_t I>
  using Param = std::tuple_element_t<I, std::tuple<P...>>;
};

template <BitString B, auto Fn>
bool invoke(typename FnTraits<decltype(Fn)>::Ctx& s, uint32_t insn) {
  using Traits = FnTraits<decltype(Fn)>;
  static constexpr auto kFields = fields_of<B>();
  static_assert(Traits::kArity == kFields.size(), "visitor arity must match the pattern's fields");
  return [&]<size_t... I>(std::index_sequence<I...>) {
    return Fn(s, static_cast<typename Traits::template Param<I>>((insn & kFields[I].mask) >> kFields[I].shift)...);
  }
  (std::make_index_sequence<kFields.size()>{});
}

}  // namespace decode_detail

// One table entry: the visitor is called as fn(Ctx&, field1, field2, ...).
template <decode_detail::BitString B, auto Fn>
consteval auto make_pattern(const char* name) {
  using Ctx = typename decode_detail::FnTraits<decltype(Fn)>::Ctx;
  return BasicPattern<Ctx>{decode_detail::mask_of<B>(), decode_detail::match_of<B>(), name,
                           &decode_detail::invoke<B, Fn>};
}

// A table's lookup structure: entries bucketed by `key_bits` bits of the instruction at
// `key_shift`, each bucket most specific mask first, so that an encoding that is a special case
// of another (fixed fields the other leaves free) wins whatever the table order.
template <class Ctx>
class PatternMatcher {
 public:
  PatternMatcher(const BasicPattern<Ctx>* table, size_t n, unsigned key_shift, unsigned key_bits)
      : shift_(key_shift), key_mask_((1u << key_bits) - 1), buckets_(size_t(1) << key_bits) {
    const uint32_t field = key_mask_ << key_shift;
    for (uint32_t key = 0; key <= key_mask_; ++key) {
      const uint32_t bits = key << key_shift;
      auto& b = buckets_[key];
      for (size_t i = 0; i < n; ++i) {
        const uint32_t m = table[i].mask & field;
        if ((bits & m) == (table[i].match & m)) b.push_back(&table[i]);
      }
      std::stable_sort(b.begin(), b.end(), [](const BasicPattern<Ctx>* x, const BasicPattern<Ctx>* y) {
        return std::popcount(x->mask) > std::popcount(y->mask);
      });
    }
  }
  const BasicPattern<Ctx>* find(uint32_t insn) const {
    for (const BasicPattern<Ctx>* p : buckets_[(insn >> shift_) & key_mask_])
      if ((insn & p->mask) == p->match) return p;
    return nullptr;
  }

 private:
  unsigned shift_;
  uint32_t key_mask_;
  std::vector<std::vector<const BasicPattern<Ctx>*>> buckets_;
};

// Finds the entry for `insn` (most specific mask first), or null for unallocated encodings.
const Pattern* decode(uint32_t insn);
// The whole table, for tests.
size_t num_patterns();
const Pattern& pattern(size_t i);

}  // namespace mimic::arm
