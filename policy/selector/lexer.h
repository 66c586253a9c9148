// Cuts selector text into tokens, one at a time, each with its byte offset.
//
// DOC. The rules are Calico's tokenizer's (libcalico-go/lib/selector/tokenizer), so that Pinto
// accepts exactly the selectors calicoctl accepts:
//  - whitespace is space and tab only;
//  - a label key is a run of [A-Za-z0-9_./-] (Kubernetes keys such as projectcalico.org/name);
//  - a quoted value runs to the next matching quote, ' or ", with no escapes;
//  - `has(`, `all(` and `global(` are keywords only when the '(' follows at once;
//  - the word operators (in, not in, contains, starts with, ends with) are recognised only right
//    after a label, so a label may be called `in` or `contains`.
// Private to pinto_selector.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "policy/selector/selector.h"

namespace pinto::policy::selector {

enum class TokenKind : std::uint8_t {
  End,         // no more input
  Label,       // text = the key
  String,      // text = the value between the quotes
  LParen,      // (
  RParen,      // )
  LBrace,      // {
  RBrace,      // }
  Comma,       // ,
  Eq,          // ==
  Ne,          // !=
  Not,         // !
  And,         // &&
  Or,          // ||
  In,          // in
  NotIn,       // not in
  Contains,    // contains
  StartsWith,  // starts with
  EndsWith,    // ends with
  All,         // all()
  Global,      // global()
  Has,         // has(key); text = the key
};

struct Token {
  TokenKind kind = TokenKind::End;
  std::size_t position = 0;  // byte offset of the token's first character
  std::string_view text;     // view into the input (see TokenKind)
};

/// How a token reads in an error message: "'&&'", "label 'app'", "end of selector".
std::string describe(const Token& token);

class Lexer {
 public:
  explicit Lexer(std::string_view input) : input_(input) {}

  /// The next token, or why the text at the current position is not one. After End, returns End.
  Result<Token, SelectorError> next();

 private:
  Result<Token, SelectorError> operator_after_label(std::size_t start);
  Result<Token, SelectorError> word(std::size_t start);
  Result<Token, SelectorError> quoted(std::size_t start);
  void skip_blanks();
  bool consume(std::string_view literal);

  std::string_view input_;
  std::size_t pos_ = 0;
  bool after_label_ = false;  // the previous token was a Label: words are operators now
};

}  // namespace pinto::policy::selector
