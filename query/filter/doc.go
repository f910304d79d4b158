// Package filter lexes and parses the sysdig/Falco filter language (the
// text after `sysdig`, a Falco rule's `condition:`) into an AST, and the
// output format strings of `sysdig -p` and Falco's `output:`. It knows no
// field semantics: a field registry elsewhere resolves field names, checks
// operators against field types and converts literals; a rules engine
// expands Falco macros (Ref nodes) and lists (bare list items, ListRef).
//
// # Grammar
//
// After libsinsp's filter/parser.h (see ../shared/reference/fields.md §1):
//
//	expr       := or_expr
//	or_expr    := and_expr ( "or" (blank | "(") and_expr )*
//	and_expr   := not_expr ( "and" (blank | "(") not_expr )*
//	not_expr   := ( "not" blank+ | "not" &"(" )* check
//	check      := operand condition
//	            | identifier                       Falco macro reference (*Ref)
//	            | "(" expr ")"
//	operand    := field | transformer "(" operand ")"
//	field      := fieldname [ "[" (quoted | argstr) "]" ]
//	condition  := "exists"
//	            | num_op  ( number | value_field )
//	            | str_op  ( string | value_field )
//	            | str_op  modifier list_value      libs >= 0.25
//	            | list_op ( list_value | value_field )
//	list_value := "(" [ string ( "," string )* ] ")" | identifier
//	value_field:= "val(" field ")" | transformer "(" operand ")"
//
//	num_op     := "<=" | "<" | ">=" | ">"
//	str_op     := "==" | "=" | "!=" | "contains" | "icontains" | "bcontains"
//	            | "startswith" | "bstartswith" | "endswith"
//	            | "glob" | "iglob" | "regex"
//	list_op    := "in" | "intersects" | "pmatch"
//	modifier   := "oneof" | "anyof" | "allof"
//	transformer:= "tolower" | "toupper" | "b64" | "basename" | "len"
//
// Tokens:
//
//	blank      := " " | "\t" | "\b" | "\r" | "\n"
//	identifier := [a-zA-Z][a-zA-Z0-9_]*
//	fieldname  := identifier ( "." identifier )+   (evt.arg.fd is one token)
//	argstr     := [^ blank "[" "]" '"' "'" ]+
//	number     := [+-]?[0-9]+[.]?[0-9]*([eE][+-][0-9]+)? | 0[xX][0-9a-fA-F]+
//	string     := quoted | barestr
//	barestr    := [^ blank "(" ")" "," "=" '"' "'" ]+
//	quoted     := '"' ... '"' | "'" ... "'"
//
// Precedence: not binds tightest, then and, then or; and/or are n-ary and
// read left to right, so `a and b or not c and d` is
// `(a and b) or ((not c) and d)`. `not not x` cancels to x.
//
// Blanks: the keywords and, or, not must be followed by a blank or "(";
// word operators by a blank ("in", "intersects", "pmatch" also by "(");
// symbolic operators need none (`proc.name=cat`); `exists` is unary.
//
// Quoted strings decode the escapes \b \f \n \r \t \\ \/ \xHH, \" inside
// "…" and \' inside '…', and the legacy "\ " (backslash blank), which
// libsinsp decodes to a single backslash. Any other escape is an error.
//
// Nesting (parentheses, not(...), transformer calls) is limited to
// MaxDepth levels. Errors are *SyntaxError values wrapping ErrSyntax, with
// the byte offset of the fault and a message naming what was expected and
// what was found.
//
// Deliberate differences from libsinsp: numbers must end at a delimiter
// (`evt.num<1and x` is an error, not `evt.num<1 and x`); hex numbers take hex
// digits only; `a or(b) and c` parses as `a or ((b) and c)` where libsinsp
// rejects it; word operators accept any blank after them (libsinsp wants a
// space); the multi-argument transformers of libs 0.24 (join, concat,
// getopt) are reported as unsupported.
//
// # Output formats
//
//	format := [ "*" ] ( text | token )*
//	token  := "%" [ width ] operand      width = decimal digits
//
// A token ends where a field name cannot continue (`%proc.name.` leaves the
// final "." as text); an argument is taken when "[" follows the name and a
// well-formed `[arg]` follows (an unquoted argument may not contain "%").
// As in libsinsp there is no escape for a literal "%": a "%" not followed by
// a field or transformer is an error, and so is a "%" at the end.
package filter
