import { buildAutomata } from './automaton.js';
import type { Compiled, MatchKind, Target } from './patterns.js';
import { StreamMatcher, type RawHit } from './stream-matcher.js';

// The search over a stream of entries: runs the matcher, turns raw pattern hits into decoy
// hits (name, description, or all of a schema's parameters within its window), and keeps at
// most MAX_LOCATIONS locations per decoy, so a blob copied a million times costs no memory
// (and counts once: the statistics count distinct decoys).

export const MAX_LOCATIONS = 20;

/** How the text differed from the decoy as shipped. */
export type MatchForm = 'verbatim' | 'case-or-separators' | 'escaped' | 'unicode' | 'description' | 'schema';

export interface HitLocation {
  path: string;
  line: number;
  column: number;
  /** JSON Lines inputs: the record (= line) number. */
  record?: number;
  match: MatchKind;
  form: MatchForm;
}

export interface TargetHits {
  occurrences: number;
  locations: HitLocation[];
}

interface SchemaTracker {
  entry: number;
  last: Float64Array;
}

export class DecoySearch {
  readonly hits = new Map<number, TargetHits>();
  private readonly matcher: StreamMatcher;
  private readonly trackers = new Map<number, SchemaTracker>();
  private entry = 0;
  private path = '';
  private jsonl = false;

  constructor(private readonly compiled: Compiled) {
    const automata = buildAutomata(compiled.patterns);
    this.matcher = new StreamMatcher(automata, compiled.patterns, (hit) => this.onHit(hit));
  }

  /** Token starts read so far. */
  get tokens(): number {
    return this.matcher.tokens;
  }

  get bytes(): number {
    return this.matcher.totalBytes;
  }

  async searchEntry(path: string, chunks: AsyncIterable<Buffer>, jsonl = false): Promise<void> {
    this.entry++;
    this.path = path;
    this.jsonl = jsonl;
    this.matcher.beginEntry();
    for await (const chunk of chunks) this.matcher.write(chunk);
    this.matcher.endEntry();
  }

  /** Convenience for tests and small inputs. */
  searchBuffer(path: string, data: Buffer, jsonl = false): void {
    this.entry++;
    this.path = path;
    this.jsonl = jsonl;
    this.matcher.beginEntry();
    this.matcher.write(data);
    this.matcher.endEntry();
  }

  private onHit(hit: RawHit): void {
    for (const use of this.compiled.uses[hit.pattern]) {
      const target = this.compiled.targets[use.target];
      if (use.kind !== 'schema') {
        this.record(target, use.kind, hit.start, hit.end);
        continue;
      }
      const schema = target.schema!;
      let tracker = this.trackers.get(target.index);
      if (!tracker) {
        tracker = { entry: this.entry, last: new Float64Array(schema.params.length).fill(-Infinity) };
        this.trackers.set(target.index, tracker);
      }
      if (tracker.entry !== this.entry) {
        tracker.entry = this.entry;
        tracker.last.fill(-Infinity);
      }
      tracker.last[use.param!] = hit.start;
      let lo = Infinity;
      let hi = -Infinity;
      for (const v of tracker.last) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
      if (lo > -Infinity && hi - lo <= schema.window) {
        this.record(target, 'schema', lo, hi);
        tracker.last.fill(-Infinity);
      }
    }
  }

  private record(target: Target, kind: MatchKind, start: number, end: number): void {
    let entry = this.hits.get(target.index);
    if (!entry) {
      entry = { occurrences: 0, locations: [] };
      this.hits.set(target.index, entry);
    }
    entry.occurrences++;
    if (entry.locations.length >= MAX_LOCATIONS) return;
    const { line, column } = this.matcher.locate(start);
    entry.locations.push({
      path: this.path,
      line,
      column,
      ...(this.jsonl ? { record: line } : {}),
      match: kind,
      form: kind === 'name' ? this.formOf(target.decoy.name, start, end) : kind,
    });
  }

  private formOf(name: string, start: number, end: number): MatchForm {
    const raw = this.matcher.rawSlice(start, end + 1);
    if (!raw) return 'case-or-separators';
    if (raw.includes(0x5c)) return 'escaped';
    if (raw.some((b) => b >= 0x80)) return 'unicode';
    return raw.toString('latin1') === name ? 'verbatim' : 'case-or-separators';
  }
}
