/**
 * A small, independent parser for the OData `$filter` subset the hook may send, used by the
 * property tests to prove that whatever the email, the filter means exactly "these columns equal
 * this string" and nothing else. Grammar: expr := term ('or' term)* ; term := factor ('and'
 * factor)* ; factor := '(' expr ')' | IDENT 'eq' (STRING | NUMBER). Strings use '' for a quote.
 */
export type FilterNode =
  | { readonly op: 'or' | 'and'; readonly left: FilterNode; readonly right: FilterNode }
  | { readonly op: 'eq'; readonly column: string; readonly value: string | number };

type Token = { kind: 'ident' | 'string' | 'number' | 'punct'; text: string };

function tokenize(filter: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < filter.length) {
    const char = filter[i] as string;
    if (char === ' ') {
      i += 1;
    } else if (char === '(' || char === ')') {
      tokens.push({ kind: 'punct', text: char });
      i += 1;
    } else if (char === "'") {
      let value = '';
      i += 1;
      for (;;) {
        if (i >= filter.length) throw new Error('unterminated string literal');
        if (filter[i] === "'") {
          if (filter[i + 1] === "'") {
            value += "'";
            i += 2;
            continue;
          }
          i += 1;
          break;
        }
        value += filter[i];
        i += 1;
      }
      tokens.push({ kind: 'string', text: value });
    } else {
      const word = /^[A-Za-z_][A-Za-z0-9_]*|^\d+/.exec(filter.slice(i))?.[0];
      if (word === undefined) throw new Error(`unexpected character at ${i}`);
      tokens.push({ kind: /^\d/.test(word) ? 'number' : 'ident', text: word });
      i += word.length;
    }
  }
  return tokens;
}

export function parseFilter(filter: string): FilterNode {
  const tokens = tokenize(filter);
  let position = 0;
  const peek = () => tokens[position];
  const take = () => {
    const token = tokens[position];
    if (token === undefined) throw new Error('unexpected end');
    position += 1;
    return token;
  };
  const binary = (op: 'or' | 'and', operand: () => FilterNode) => (): FilterNode => {
    let node = operand();
    while (peek()?.kind === 'ident' && peek()?.text === op) {
      take();
      node = { op, left: node, right: operand() };
    }
    return node;
  };
  const factor = (): FilterNode => {
    const token = take();
    if (token.kind === 'punct' && token.text === '(') {
      const inner = expr();
      if (take().text !== ')') throw new Error('expected )');
      return inner;
    }
    if (token.kind !== 'ident' || ['and', 'or', 'eq'].includes(token.text)) throw new Error('expected a column');
    const operator = take();
    if (operator.kind !== 'ident' || operator.text !== 'eq') throw new Error('expected eq');
    const value = take();
    if (value.kind === 'string') return { op: 'eq', column: token.text, value: value.text };
    if (value.kind === 'number') return { op: 'eq', column: token.text, value: Number(value.text) };
    throw new Error('expected a literal');
  };
  const term = binary('and', factor);
  const expr = binary('or', term);
  const tree = expr();
  if (position !== tokens.length) throw new Error('trailing tokens');
  return tree;
}

/** The tree the hook must send: (f1 eq v or f2 eq v ...) [and statecode eq 0]. */
export function intendedFilter(email: string, fields: readonly string[], activeOnly: boolean): FilterNode {
  const [first, ...rest] = fields.map((column): FilterNode => ({ op: 'eq', column, value: email }));
  if (first === undefined) throw new Error('no fields');
  const match = rest.reduce<FilterNode>((left, right) => ({ op: 'or', left, right }), first);
  return activeOnly ? { op: 'and', left: match, right: { op: 'eq', column: 'statecode', value: 0 } } : match;
}
