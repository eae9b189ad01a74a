import { deriveKey } from '../core/key.js';
import type { Decoy, DecoyFlag, DecoyParameter, DecoyTool, Tier } from '../core/decoy-types.js';
import {
  DESCRIPTION_OPENERS,
  DESCRIPTION_TAILS,
  ENUM_SETS,
  LEXICON,
  PARAM_DESCRIPTIONS,
  PARAM_MODIFIERS,
  PARAM_NOUNS,
} from './lexicon.js';
import { fold, joinWords, looksSecret, type NameCase } from './names.js';
import { KeyedStream } from './random.js';
import { MIN_DECOY_FOLDED } from './scan.js';
import type { LearnedStyle } from './style.js';

// Keyed decoy generation. Every decoy identity (its name) is a path through a small grammar:
//   tool: verb · modifier · noun [· noun] · qualifier
//   flag: [codename prefix] modifier · codeword · noun [· noun] · qualifier
// with every word drawn uniformly, by HMAC under a per-tier sub-key, from disjoint slot lists of a
// few hundred plausible words each (the bundle's own vocabulary added). That is >= 32 bits of
// keyed choice per name spent on ordinary words, never on random-looking characters.

export const MIN_ENTROPY_BITS = 32;

/** A label segment: channel and release names are free text, so keep them unambiguous. */
const seg = (s: string) => encodeURIComponent(s);

export function tierSubkey(key: Buffer, tier: Tier, channel: string, release: string, control: boolean): Buffer {
  const scope = tier === 'product' ? 'product' : tier === 'channel' ? `channel/${seg(channel)}` : `release/${seg(channel)}/${seg(release)}`;
  return deriveKey(key, control ? `pillbox/v1/decoys/control/${scope}` : `pillbox/v1/decoys/${scope}`);
}

export function decoyId(tier: Tier, channel: string, release: string, control: boolean, index: number): string {
  const scope = tier === 'product' ? 'product' : tier === 'channel' ? `channel/${channel}` : `release/${channel}/${release}`;
  return `${scope}/${control ? 'control/' : ''}${index}`;
}

/**
 * How many decoys each tier ships for a requested total: a quarter each for product and
 * channel, the rest for release, plus 0 or 1 more per tier chosen by that tier's own key, so
 * the total (count..count+3) varies by key and no fixed count gives the decoys away.
 */
export function tierCounts(key: Buffer, channel: string, release: string, count: number): Record<Tier, number> {
  const base = Math.max(1, Math.floor(count / 4));
  const extra = (tier: Tier) => new KeyedStream(tierSubkey(key, tier, channel, release, false), 'count').int(2);
  return {
    product: base + extra('product'),
    channel: base + extra('channel'),
    release: Math.max(1, count - 2 * base) + extra('release'),
  };
}

export interface Vocabulary {
  verbs: readonly string[];
  modifiers: readonly string[];
  nouns: readonly string[];
  qualifiers: readonly string[];
  codewords: readonly string[];
}

/** The built-in slot lists extended with the bundle's own words (kept disjoint). */
export function vocabularyFor(style: LearnedStyle): Vocabulary {
  const taken = new Set<string>(Object.values(LEXICON).flat());
  const extend = (base: readonly string[], extra: readonly string[]) => {
    const out = base.slice();
    for (const w of [...extra].sort()) {
      if (/^[a-z]{3,12}$/.test(w) && !taken.has(w)) {
        taken.add(w);
        out.push(w);
      }
    }
    return out;
  };
  return {
    verbs: extend(LEXICON.verbs, style.tools.verbs),
    nouns: extend(LEXICON.nouns, style.tools.objects),
    codewords: extend(LEXICON.codewords, style.flags.words),
    modifiers: LEXICON.modifiers,
    qualifiers: LEXICON.qualifiers,
  };
}

function thirdPerson(verb: string): string {
  if (/(s|x|z|ch|sh)$/.test(verb)) return verb + 'es';
  if (/[^aeiou]y$/.test(verb)) return verb.slice(0, -1) + 'ies';
  return verb + 's';
}
const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

function paramCase(nameCase: NameCase): NameCase {
  return nameCase === 'camel' || nameCase === 'pascal' ? 'camel' : 'snake';
}

function makeParameters(stream: KeyedStream, style: LearnedStyle, vocab: Vocabulary): { parameters: DecoyParameter[]; required: string[] } {
  const t = style.tools;
  const mean = Math.max(1, Math.round(t.properties));
  const n = Math.max(1, Math.min(6, mean - 1 + stream.int(3)));
  const pcase = paramCase(t.nameCase);
  const used = new Set<string>();
  const parameters: DecoyParameter[] = [];
  for (let i = 0; i < n; i++) {
    let words: string[];
    const r = stream.int(4);
    if (r === 0) words = [stream.pick(PARAM_MODIFIERS), stream.pick(PARAM_NOUNS)];
    else if (r === 1) words = [stream.pick(vocab.nouns), stream.pick(PARAM_NOUNS)];
    else words = [stream.pick(PARAM_NOUNS)];
    const name = joinWords(words, pcase);
    if (used.has(name)) continue;
    used.add(name);
    const typeRoll = stream.int(10);
    const type: DecoyParameter['type'] = typeRoll < 6 ? 'string' : typeRoll < 8 ? 'integer' : typeRoll < 9 ? 'boolean' : 'array';
    const phrase = words.join(' ');
    const description = stream.pick(PARAM_DESCRIPTIONS).replace('{P}', phrase).replace(/^./, (c) => c.toUpperCase());
    const p: DecoyParameter = { name, type, description };
    if (type === 'string' && stream.chance(t.enumShare)) p.enum = [...stream.pick(ENUM_SETS)];
    parameters.push(p);
  }
  const required = parameters.filter((_, i) => i === 0 || stream.chance(t.requiredShare)).map((p) => p.name);
  return { parameters, required };
}

function makeDescription(stream: KeyedStream, style: LearnedStyle, verb: string, object: string): string {
  const t = style.tools;
  const v = t.person === 'third' ? cap(thirdPerson(verb)) : cap(verb);
  let text = stream.pick(DESCRIPTION_OPENERS).replace('{V}', v).replace('{O}', object) + '.';
  const tails = stream.shuffle(DESCRIPTION_TAILS);
  for (const tail of tails) {
    if (text.split(/\s+/).length >= t.descriptionWords) break;
    text += ' ' + tail;
  }
  return text;
}

export interface GenerateInput {
  key: Buffer;
  tier: Tier;
  channel: string;
  release: string;
  control: boolean;
  index: number;
  style: LearnedStyle;
  vocab: Vocabulary;
  /** True when a folded candidate name is taken (a bundle name, another decoy, or near one). */
  rejects: (folded: string) => boolean;
}

/** One decoy, deterministic in (key, tier, channel, release, control, index, style, rejects). */
export function generateDecoy(input: GenerateInput): Decoy {
  const subkey = tierSubkey(input.key, input.tier, input.channel, input.release, input.control);
  const id = decoyId(input.tier, input.channel, input.release, input.control, input.index);
  const kindStream = new KeyedStream(subkey, `kind/${input.index}`);
  const kind: 'tool' | 'flag' = kindStream.chance(0.5) ? 'tool' : 'flag';
  for (let attempt = 0; attempt < 1000; attempt++) {
    const stream = new KeyedStream(subkey, `decoy/${input.index}/${attempt}`);
    const body = kind === 'tool' ? makeTool(stream, input.style, input.vocab) : makeFlag(stream, input.style, input.vocab);
    if (!body) continue;
    const bits = stream.bits;
    const folded = fold(body.name);
    if (folded.length < MIN_DECOY_FOLDED || looksSecret(body.name) || input.rejects(folded)) continue;
    return { ...body, id, tier: input.tier, control: input.control, entropyBits: Math.floor(bits * 100) / 100 };
  }
  throw new Error(`could not generate a decoy for ${id}: every candidate collided`);
}

function makeTool(stream: KeyedStream, style: LearnedStyle, vocab: Vocabulary): DecoyTool | undefined {
  const long = stream.take([false, true]);
  const verb = stream.take(vocab.verbs);
  const modifier = stream.take(vocab.modifiers);
  const noun = stream.take(vocab.nouns);
  const noun2 = long ? stream.take(vocab.nouns) : undefined;
  const qualifier = stream.take(vocab.qualifiers);
  if (noun === noun2) return undefined;
  const words = [verb, modifier, noun, ...(noun2 ? [noun2] : []), qualifier];
  let name = joinWords(words, style.tools.nameCase);
  if (style.tools.prefixes.length > 0 && stream.chance(style.tools.prefixShare)) name = stream.pick(style.tools.prefixes) + name;
  const objectPhrase = words.slice(1).join(' ');
  const description = makeDescription(stream, style, verb, objectPhrase);
  const { parameters, required } = makeParameters(stream, style, vocab);
  return { kind: 'tool', name, description, parameters, required };
}

function makeFlag(stream: KeyedStream, style: LearnedStyle, vocab: Vocabulary): DecoyFlag | undefined {
  const f = style.flags;
  const long = stream.take([false, true]);
  const modifier = stream.take(vocab.modifiers);
  const codeword = stream.take(vocab.codewords);
  const noun = stream.take(vocab.nouns);
  const noun2 = long ? stream.take(vocab.nouns) : undefined;
  const qualifier = stream.take(vocab.qualifiers);
  if (noun === noun2) return undefined;
  const words = [modifier, codeword, noun, ...(noun2 ? [noun2] : []), qualifier];
  const body = joinWords(words, f.nameCase);
  const sep = f.nameCase === 'kebab' ? '-' : '_';
  return { kind: 'flag', name: f.prefix ? `${f.prefix}${sep}${body}` : body };
}
