"""What a visitor may ask of the server: every limit a link, the sidebar, a saved run, a CSV
file, a drawing or the Compare page can reach, in one place (ui.config names this module).

The app runs as ONE process for a whole class (Community Cloud: ~2.7 GB for everyone, then
"This app has gone over its resource limits"). So every size a visitor can request is checked
against these numbers *before* anything is allocated, built or decoded:

- settings (share links, sidebar values, a saved run's settings, Compare's runs) go through
  ui.config._parse_value, the one set of range checks, which reads its ranges here;
- a saved run is read member by member, each .npy header (shape x item size) checked against
  RUN_ARRAY_BYTES before its data is read (engine.runfile);
- a CSV file is measured (bytes, lines, separators per line) before pandas parses it;
- a drawing's PNG header (width x height) is read before Pillow decodes its pixels.

Numbers with a reason each; benchmarks/bench_memory.py measures what they add up to.
"""
from __future__ import annotations

# ----------------------------------------------------------------------------- the network
MAX_HIDDEN_LAYERS = 6
MAX_UNITS = {"mnist": 256}     # units per hidden layer on that page
MAX_UNITS_2D = 64              # every 2-D page and Compare (the browser evaluates the net per pixel)


def max_units(page: str) -> int:
    return MAX_UNITS.get(page, MAX_UNITS_2D)


MAX_DROPOUT = 0.9

# ----------------------------------------------------------------------------- data
N_SAMPLES = (50, 2000)         # 2-D points (train + test)
N_TRAIN = (100, 9000)          # MNIST digits; train + test never exceed the 10,000 shipped
N_TEST = (100, 5000)
NOISE = (0.0, 0.5)
TEST_FRACTION = (0.1, 0.5)
SEED = (0, 10**6)              # weights / data seeds

# ----------------------------------------------------------------------------- training
BATCH_OPTIONS = [0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512]  # 0 = full batch
BATCH = (0, BATCH_OPTIONS[-1])
MOMENTUM = (0.0, 0.99)
STEPS_PER_FRAME = (1, 50)
SCHEDULE_STEPS = (1, 100_000)  # a learning-rate schedule's period (step decay's every, the cosine's T_max)
SCRIPT_STEPS = (1, 100_000)    # "Take it home": steps the standalone script runs
MAX_HISTORY = 4000             # StepRecords a trainer keeps (engine.Trainer's default)
EVAL_EVERY = {"mnist": 50}     # test-set evaluation every k steps (2-D pages: every step)


def eval_every(page: str) -> int:
    return EVAL_EVERY.get(page, 1)


# Engine work per frame of the live loop. A frame runs up to steps_per_frame steps but stops
# once this much time is spent (at least one step), so the heaviest accepted settings (MNIST,
# 6 x 256, full batch, 50 steps per frame: ~0.35 s a step) never hold a frame for 17 s:
# Pause waits for one step, not fifty.
FRAME_WORK_SECONDS = 0.2
# Memory for engine passes (a step, a test-set evaluation) of all sessions at the same moment.
# NumPy releases the GIL, so without a bound ten full-batch MNIST steps of 6 x 256 would each
# hold their ~320 MB of activations at once, and ten 2-D nets of 6 x 64 on 2,000 points their
# ~30 MB (measured: 1.87 GB peak with 30 sessions). A pass asks for its estimated size
# (ui.lab.Lab.pass_bytes) and waits, in arrival order, until it fits; passes under
# ENGINE_SMALL_BYTES (the page defaults, small batches) never wait.
ENGINE_BYTES = 400_000_000
ENGINE_SMALL_BYTES = 4_000_000
# After a pass this big the freed memory is handed back to the system (ui.memory.trim). Not
# after smaller ones: malloc_trim holds malloc's lock while it walks the heap, and trimming
# after every 2-D step of 30 sessions cut their frame rates by half or more (bench_memory.py).
ENGINE_TRIM_BYTES = 64_000_000
# The step walkthrough (Look inside -> Step phases) keeps every array of one step in the
# session while the student clicks through: offered up to this size (a batch of 512 on MNIST
# 784-256x6-10 is ~20 MB; the full batch of 8,000 would be ~320 MB, per visitor).
WALK_MAX_BYTES = 50_000_000
MALLOC_ARENAS = 1              # glibc malloc arenas of the process (ui.memory says why)

# ----------------------------------------------------------------------------- links
MAX_LINK_WARNINGS = 10         # then one "and N more" line
ECHO_CHARS = 40                # of a link's key or value, or a cell, quoted back in a sentence

# ----------------------------------------------------------------------------- Compare
COMPARE_RUNS = (2, 4)

# ----------------------------------------------------------------------------- uploads
UPLOAD_MB = 8                  # must equal .streamlit/config.toml [server] maxUploadSize (tested): the
                               # heaviest saved run the sidebar can make is 6.0 MB (tests/test_limits.py)
MESSAGE_MB = 32                # must equal [server] maxMessageSize: a browser message (a drawing,
                               # a checkpoint) is at most this big (tested)
CSV_MAX_BYTES = 2_000_000
CSV_MAX_ROWS = 5000
CSV_MAX_COLUMNS = 16           # in the header, counted before pandas parses (1.5 M took 265 s, 1.75 GB)
CSV_MAX_LINE_CHARS = 256       # per line: a row is two numbers and a label
CSV_MAX_CLASSES = 10
CSV_LIMITS = dict(max_bytes=CSV_MAX_BYTES, max_rows=CSV_MAX_ROWS, max_columns=CSV_MAX_COLUMNS,
                  max_line=CSV_MAX_LINE_CHARS, max_classes=CSV_MAX_CLASSES)  # engine.tabular.csv_dataset's

# A saved run: the largest the sidebar can make is MNIST 784-256x6-10 with batch norm and Adam
# in float32 (parameters, two moments, running statistics: ~6.5 MB) plus 4,000 history rows of
# 29 float64 (0.9 MB) and a 9,000-entry permutation: ~7.5 MB of arrays.
RUN_FILE_BYTES = UPLOAD_MB * 1024 * 1024       # the file itself, uploaded or sent back by the browser
RUN_ARRAY_BYTES = 12_000_000   # everything its arrays unpack to, checked from their headers
RUN_SETTINGS_BYTES = 200_000   # its settings (JSON): a real one is ~3 KB
RUN_MEMBERS = 128              # zip members (the heaviest run above has 93)

# ----------------------------------------------------------------------------- drawings
IMAGE_MAX_SIDE = 640           # pixels per side of a drawing (the canvas sends 280 x 280)
IMAGE_MAX_BYTES = 1_500_000    # of its data URL

# ----------------------------------------------------------------------------- changes by hand
HAND_MAX_TRAIN = 5000          # training points a 2-D set edited by hand may hold (as many as a CSV's rows)
HAND_MIN_TRAIN = 4             # ... and at least, after shift-clicks
MAX_TYPED_VALUE = 1000.0       # a weight or bias typed into the network graph: |value| at most this
EDIT_OPS = 32                  # changes one browser message may carry (it re-sends those not yet acknowledged)
GRAPH_MAX_UNITS = 16           # the network graph draws (and sends gradients for) layers of at most this many units

# ----------------------------------------------------------------------------- TensorFlow Playground links
TFPG_LINK_CHARS = 4000         # a real link is 600-1,300 characters; longer text is not read at all

# ----------------------------------------------------------------------------- shared caches
# Datasets are cached for all visitors (read-only). Each MNIST entry is ~31 MB (8,000 + 2,000
# digits of 784 float32), so the cache holds a few, for a while: at most 3 x 31 MB on top of
# what the sessions themselves hold.
MNIST_CACHE_ENTRIES = 3
TOY_CACHE_ENTRIES = 32         # 2-D sets: at most 2,000 x 2 float64 = 32 KB each
CSV_CACHE_ENTRIES = 8          # parsed CSVs: at most 5,000 rows
CACHE_TTL_SECONDS = 600

# The browser's copy of a run (ui.checkpoint) is a saved-run file: the same limit, checked on
# the base64 text's length before it is decoded.
CHECKPOINT_BYTES = RUN_FILE_BYTES
