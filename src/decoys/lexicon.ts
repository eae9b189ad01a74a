// The built-in vocabulary decoys are made of: words that read like a real agent product's tools
// and feature flags. Each slot list is disjoint from the others (a word belongs to one slot), so
// a generated name parses back into its slots in exactly one way and its entropy is the sum of
// log2(slot size) over its slots. The bundle's own vocabulary (see style.ts) extends the lists.

const VERB_WORDS = `
read write list get fetch search find create update delete remove sync archive merge diff patch
apply build run queue schedule cancel retry resolve inspect index summarize export import rename
move copy pin unpin tag label rank score validate verify lint format compile deploy rollback
restore prune compact rotate refresh reload watch trace profile annotate classify cluster dedupe
extract ingest parse render preview publish review approve reject assign notify subscribe mute
stream upload download mirror clone fork rebase squash stage commit revert bisect blame grep glob
open close lock unlock seal sign encode decode migrate seed provision scale drain evict flush warm
probe ping poll throttle split join tokenize embed rerank recall remember forget plan replan
estimate forecast measure sample tally reconcile audit attest certify enroll invite share link
unlink attach detach mount unmount spawn kill pause resume suspend wake hydrate serialize
normalize sanitize redact mask escalate triage route dispatch relay forward broadcast collect
gather harvest crawl map reduce filter sort group partition shard replicate backfill replay rewind
promote demote retire revive fold unfold expand collapse highlight outline sketch compose assemble
bundle pack unpack inflate deflate stash peek tail count describe explain suggest propose draft
edit insert append prepend truncate trim pad wrap unwrap mark unmark star unstar watchlist
acknowledge snooze defer hold release claim yield lease renew revoke grant deny allow block
unblock flag unflag quarantine isolate sandbox replay handoff checkout prefetch preload cache
invalidate purge debounce coalesce batch enqueue dequeue drop reorder prioritize balance align
calibrate tune train evaluate benchmark grade judge compare contrast correlate infer derive
compute convert translate transcribe localize stamp register unregister discover enumerate
`;

const MODIFIER_WORDS = `
stale fresh pending active idle partial complete draft shared private public local remote
nested flat sparse dense cached transient durable ephemeral pinned muted hidden visible archived
orphaned dangling detached linked primary secondary fallback default custom managed scoped global
recent oldest latest previous upcoming scheduled deferred blocked stalled queued running paused
failed flaky slow fast cold warm hot frozen thawed sealed signed unsigned verified unverified
trusted untrusted pending incoming outgoing inbound outbound upstream downstream parent child
sibling root leaf shallow deep narrow wide minimal verbose quiet noisy strict lenient loose
tight soft hard raw cooked parsed compiled bundled vendored forked merged squashed staged dirty
clean tracked untracked ignored watched unwatched nightly weekly daily hourly rolling staggered
phased gradual instant lazy eager optimistic pessimistic atomic composite virtual physical
logical semantic lexical syntactic structural temporal spatial regional zonal tenant workspace
project team personal shared readonly writable mutable immutable versioned unversioned tagged
untagged labeled unlabeled indexed unindexed ranked unranked scored weighted balanced skewed
truncated padded wrapped chunked streamed buffered batched throttled debounced coalesced
redacted masked sanitized normalized canonical aliased renamed moved copied cloned mirrored
replicated sharded partitioned grouped sorted filtered mapped reduced folded expanded collapsed
highlighted outlined annotated commented reviewed approved rejected assigned claimed released
leased renewed revoked granted denied allowed quarantined isolated sandboxed handed prefetched
preloaded warmed invalidated purged dropped reordered prioritized aligned calibrated tuned trained
evaluated graded judged compared inferred derived computed converted translated transcribed
localized stamped registered discovered enumerated ambient implicit explicit inline detachable
portable embedded hosted headless interactive background foreground unattended supervised
guided assisted autonomous manual automatic implicit adaptive elastic resilient redundant
sticky floating anchored floating modal modeless compact roomy terse concise rich plain
`;

const NOUN_WORDS = `
file folder workspace session ledger snapshot branch commit patch diff hunk line symbol module
package manifest lockfile dependency import export function method class interface schema table
column row record entry document page section paragraph note comment thread message reply
channel topic queue job task step stage pipeline workflow runner worker agent tool plugin
extension hook trigger event signal alert incident ticket issue milestone release version tag
label badge policy rule role permission scope grant tenant
account user member team group org project repo repository remote origin upstream mirror fork
cache buffer store bucket blob object artifact asset bundle chunk slice segment block frame
packet stream socket port host node cluster region zone shard replica partition index cursor
offset pointer handle reference link anchor bookmark shortcut alias path route endpoint
gateway proxy tunnel bridge relay broker registry catalog inventory roster directory library
archive backup checkpoint journal log trace span metric counter gauge histogram sample
profile report digest summary outline sketch draft template preset config setting option
preference flag toggle switch variant experiment cohort segment audience tier plan quota limit
budget cost invoice receipt payment charge refund credit balance wallet cart order shipment
parcel delivery pickup address contact lead deal opportunity pipeline forecast target goal
objective result outcome score grade rating review feedback survey poll vote ballot
prompt completion transcript conversation turn utterance intent entity slot context memory
embedding vector neighbor cluster centroid label dataset corpus shard split fold epoch batch
checkpoint weight gradient loss metric benchmark eval probe fixture stub mock spy harness
suite case scenario spec assertion expectation snapshot baseline regression flake retry
timeout deadline schedule calendar event reminder alarm timer clock interval window range
period cycle sprint iteration backlog board column card lane swimlane epic story subtask
dependency blocker owner assignee reviewer approver watcher follower subscriber mention
notification inbox outbox draft mailbox folder attachment image thumbnail preview icon avatar
banner logo font color palette theme layout grid panel pane tab drawer sidebar toolbar menu
dialog modal tooltip popover toast banner widget component prop state store reducer action
selector effect saga thunk middleware interceptor handler listener observer emitter dispatcher
scheduler executor allocator collector compactor indexer crawler parser lexer formatter linter
compiler bundler minifier transpiler loader resolver emitter renderer painter printer writer
reader scanner matcher finder searcher ranker scorer router planner solver optimizer
tokenizer encoder decoder signer verifier validator sanitizer normalizer converter
migrator seeder provisioner scaler drainer evictor flusher warmer prober pinger poller
throttler splitter joiner embedder reranker summarizer classifier clusterer deduper extractor
ingestor exporter importer renamer mover copier pinner tagger labeler deployer
sandbox container image volume mount certificate fingerprint checksum
heartbeat lease lock mutex semaphore barrier latch fence epochs watermark highwater lowwater
backpressure throughput latency jitter drift skew lag offset
ancestor descendant lineage provenance origin destination handoff baton relay carrier courier
envelope payload header footer trailer preamble outline glossary appendix footnote
citation quote excerpt snippet fragment stanza verse chapter volume edition imprint colophon
locker cabinet shelf crate pallet container dock wharf pier quay berth terminal depot
station platform junction crossing viaduct overpass causeway corridor hallway lobby atrium
foyer annex wing tower spire dome arch beam girder truss rafter joist plank board
kiosk counter booth stall tent pavilion arena stadium forum agora plaza square
compass sextant astrolabe almanac atlas chart gazetteer logbook diary chronicle
census roll docket dossier portfolio binder folio sheaf ream quire
beacon lighthouse buoy marker waypoint milestone signpost landmark boundary frontier border
estuary basin reservoir aqueduct canal sluice weir spillway cistern fountain
loom spindle shuttle bobbin reel spool skein hank braid weave knot stitch seam hem
anvil forge crucible ingot alloy foundry smelter mold cast die stamp press
`;

const QUALIFIER_WORDS = `
batch history queue status state details info metadata summary overview preview stats
counts totals usage health diagnostics settings options defaults overrides rules limits quota
window range bounds timeline changelog diffs deltas events logs traces spans metrics insights
signals hints suggestions candidates matches results hits misses errors warnings failures
retries attempts runs jobs tasks steps items entries records rows keys values fields labels
tags notes comments threads replies links refs pointers handles ids names titles paths urls
routes targets sources sinks inputs outputs params args flags toggles variants cohorts
snapshots checkpoints backups archives bundles chunks slices blocks frames packets pages
sections groups sets lists maps tables views panels reports digests outlines drafts templates
presets profiles policies roles grants scopes members owners watchers subscribers mentions
`;

const CODE_WORDS = `
amber azure basil birch bramble breeze brook canyon cedar cinder citrus clover cobalt comet
coral cosmos crane crater crimson crystal cypress dahlia delta dune dusk ember falcon fern
fjord flint fog frost garnet geyser ginger glacier granite grove gull harbor hazel heron
hollow horizon indigo iris ivory jade jasper juniper kelp kestrel lagoon lantern larch lark
laurel lava lilac linen lotus lumen lynx magnet maple marble marsh meadow mesa mica mint
mist moss moth nectar nimbus nova oak oasis obsidian ocean olive onyx opal orchid osprey
otter pebble pepper pine plume pollen poppy prairie prism quartz quill rain raven reed reef
ridge river robin rowan ruby rust saffron sage salt sand sapphire scarlet sequoia shale
shell sierra silver slate sorrel sparrow spruce steppe stone storm summit swift tansy teal
thistle thorn thunder tide timber topaz trout tundra tulip umber valley velvet vesper violet
walnut willow wren yarrow zephyr zinc acorn alder anise aspen aster bay beacon bison bluff
bolt briar butte cairn calico caper cardinal cask cattail cove cricket dapple dew drizzle
egret elm estuary fable fennel finch flax gale gorse hail heath hemlock hickory holly hops
ibis jetty kiln knoll lichen lupine mallow mango marigold merlin minnow mulberry myrtle
nettle nutmeg oriole parsley petal pike plover quince rapids rook rye sable sedge shoal
snipe sumac tamarack tern thyme tinder trillium vetch wisteria yew
`;

function words(text: string): string[] {
  return text.split(/\s+/).filter((w) => /^[a-z]{2,14}$/.test(w));
}

/** Slot lists, disjoint and in a fixed order: earlier lists win a word that appears twice. */
function buildSlots(): Record<'verbs' | 'modifiers' | 'nouns' | 'qualifiers' | 'codewords', readonly string[]> {
  const seen = new Set<string>();
  const take = (text: string): string[] => {
    const out: string[] = [];
    for (const w of words(text)) {
      if (seen.has(w)) continue;
      seen.add(w);
      out.push(w);
    }
    return out;
  };
  const verbs = take(VERB_WORDS);
  const qualifiers = take(QUALIFIER_WORDS);
  const modifiers = take(MODIFIER_WORDS);
  const codewords = take(CODE_WORDS);
  const nouns = take(NOUN_WORDS);
  return { verbs, modifiers, nouns, qualifiers, codewords };
}

export const LEXICON = buildSlots();
export type SlotName = keyof typeof LEXICON;

/** Parameter names, descriptions and enum values for decoy input schemas. */
export const PARAM_NOUNS = words(`
path query limit offset cursor scope mode format target source branch ref pattern filter label
tag reason message title body summary depth timeout region locale language channel priority
severity owner assignee reviewer window since until range pages size count level strategy
template preset profile variant version revision commit session workspace project team
`);

export const PARAM_MODIFIERS = words(`
max min include exclude dry target source base head default preferred fallback parent
`);

export const ENUM_SETS: readonly (readonly string[])[] = [
  ['fast', 'thorough'],
  ['auto', 'manual'],
  ['summary', 'full', 'none'],
  ['low', 'medium', 'high'],
  ['ascending', 'descending'],
  ['json', 'text', 'markdown'],
  ['draft', 'ready', 'archived'],
  ['local', 'remote', 'both'],
  ['strict', 'lenient'],
  ['latest', 'stable', 'pinned'],
  ['hourly', 'daily', 'weekly'],
  ['append', 'replace', 'merge'],
];

/** Sentence frames for descriptions. `{V}` verb (as the style conjugates it), `{O}` object phrase. */
export const DESCRIPTION_OPENERS: readonly string[] = [
  '{V} the {O}',
  '{V} {O} for the current workspace',
  '{V} {O} in the active session',
  '{V} every {O} that matches the given filter',
  '{V} the {O} and returns what changed',
  '{V} {O} without touching the working tree',
  '{V} the selected {O} in place',
  '{V} {O} across all configured remotes',
];

export const DESCRIPTION_TAILS: readonly string[] = [
  'Use this before making larger edits.',
  'Results are paginated; pass the cursor to continue.',
  'Returns an empty list when nothing matches.',
  'Only works inside a trusted workspace.',
  'Prefer this over running shell commands for the same task.',
  'The call is idempotent and safe to retry.',
  'Large results are truncated; narrow the query to see more.',
  'Requires the user to have approved the workspace.',
  'Changes are staged but not committed.',
  'Honours the ignore rules of the repository.',
  'Times out after the configured deadline.',
  'Use the dry run option to preview the effect first.',
];

export const PARAM_DESCRIPTIONS: readonly string[] = [
  'The {P} to use.',
  'Optional {P}; defaults to the workspace setting.',
  '{P} to restrict the operation to.',
  'Which {P} to apply.',
  'The {P} of the request.',
  'When set, only this {P} is considered.',
];
