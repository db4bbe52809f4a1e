// Every bound on what a target sends to the runner, with its reason. A target is a service under
// test and may be compromised: these keep its data from exhausting the runner's disk, memory or
// time. Each refusal names the bound it met (see docs/agent.md, "A compromised target").

/** Bytes of data files one target may send: a service's data is kilobytes to a few megabytes. */
export const MAX_BYTES_PER_TARGET = 512 * 1024 * 1024;
/** Bytes of all targets together: what a runner's temp space takes without harm. */
export const MAX_BYTES_ALL_TARGETS = 2 * 1024 * 1024 * 1024;
/** One data file: the packer leaves a larger one in the target (with this reason). */
export const MAX_DATA_FILE_BYTES = 256 * 1024 * 1024;
/** Data files kept from one target: one per process and save; thousands are a flood. */
export const MAX_DATA_FILES_PER_TARGET = 4096;
/** Entries of one tar stream, skipped ones included: bounds the work on entries nobody keeps. */
export const MAX_ENTRIES_PER_STREAM = 16_384;
/** An agent's status or flush answer: its own are under 64 KiB (httpserve.py's bound). */
export const MAX_AGENT_ANSWER_BYTES = 1024 * 1024;
/** How long `GET /data` may take on top of the flush: the packer streams at disk speed. */
export const DATA_STREAM_SLACK_MS = 120_000;
/** Names listed one by one in a warning about many files; the rest are counted. */
export const MAX_NAMED_FILES = 5;
/** Reasons given one warning each when files stay behind; files for other reasons are counted. */
export const MAX_SKIP_REASONS = 5;
/** The longest data file name the runner keeps as it came; longer ones are renamed. */
export const MAX_FILE_NAME_CHARS = 200;
