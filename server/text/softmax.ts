/**
 * Sparse multinomial logistic regression with TF-IDF features and temperature-scaled probabilities.
 * Hand-written (~150 lines, no dependency): the npm options are either dense (tensor libraries, far
 * heavier than a few thousand short tickets need) or unmaintained, and we need determinism and
 * calibration that they do not offer.
 */

/** A sparse feature vector: parallel arrays of feature index and value. */
export interface SparseVec {
  idx: Int32Array;
  val: Float64Array;
}

/** Learns a vocabulary and IDF weights; maps token lists to L2-normalised sublinear TF-IDF vectors. */
export class TfIdf {
  readonly vocab = new Map<string, number>();
  private idf = new Float64Array(0);

  /** Builds the vocabulary from training documents (each a token list). */
  fit(docs: string[][]): this {
    const df: number[] = [];
    for (const doc of docs) {
      for (const t of new Set(doc)) {
        let i = this.vocab.get(t);
        if (i === undefined) {
          i = df.length;
          this.vocab.set(t, i);
          df.push(0);
        }
        df[i]!++;
      }
    }
    // Smoothed IDF as in scikit-learn: rare words weigh more, no word weighs zero.
    this.idf = Float64Array.from(df, (d) => Math.log((1 + docs.length) / (1 + d)) + 1);
    return this;
  }

  get dim() {
    return this.idf.length;
  }

  /** Vectorises one document; tokens unseen in training are ignored. */
  transform(doc: string[]): SparseVec {
    const tf = new Map<number, number>();
    for (const t of doc) {
      const i = this.vocab.get(t);
      if (i !== undefined) tf.set(i, (tf.get(i) ?? 0) + 1);
    }
    const idx = Int32Array.from(tf.keys()).sort();
    const val = Float64Array.from(idx, (i) => (1 + Math.log(tf.get(i)!)) * this.idf[i]!);
    const norm = Math.hypot(...val) || 1;
    for (let k = 0; k < val.length; k++) val[k]! /= norm;
    return { idx, val };
  }
}

/** Small deterministic PRNG (mulberry32) so training is reproducible run to run. */
export function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SoftmaxOptions {
  epochs?: number;
  /** L2 strength (per example). */
  lambda?: number;
  /** Initial learning rate. */
  eta0?: number;
  seed?: number;
  /** Cross-validation folds used to fit the temperature; 0 disables calibration. */
  folds?: number;
}

interface Example {
  x: SparseVec;
  y: number;
}

/** Multinomial logistic regression over `labels`; fit() trains and calibrates, predictProba() scores. */
export class Softmax<L extends string> {
  private w = new Float64Array(0);
  private b: Float64Array;
  /** Divides logits; fitted on out-of-fold predictions so probabilities match observed accuracy. */
  temperature = 1;
  private readonly o: Required<SoftmaxOptions>;

  constructor(
    readonly labels: readonly L[],
    private readonly dim: number,
    opts: SoftmaxOptions = {},
  ) {
    this.o = { epochs: 12, lambda: 1e-4, eta0: 0.5, seed: 42, folds: 3, ...opts };
    this.b = new Float64Array(labels.length);
  }

  /** Trains on all examples; first fits the temperature by k-fold cross-validation. */
  fit(examples: { x: SparseVec; y: L }[]): this {
    const data = examples.map((e) => ({ x: e.x, y: this.labels.indexOf(e.y) })).filter((e) => e.y >= 0);
    const { folds } = this.o;
    if (folds >= 2 && data.length >= folds * 5) {
      const order = shuffle(
        data.map((_, i) => i),
        rng(this.o.seed + 1),
      );
      const logits: Float64Array[] = [];
      const ys: number[] = [];
      for (let f = 0; f < folds; f++) {
        const test = order.filter((_, k) => k % folds === f).map((i) => data[i]!);
        const train = order.filter((_, k) => k % folds !== f).map((i) => data[i]!);
        const m = new Softmax(this.labels, this.dim, { ...this.o, folds: 0 });
        m.train(train);
        for (const e of test) {
          logits.push(m.logits(e.x));
          ys.push(e.y);
        }
      }
      this.temperature = fitTemperature(logits, ys);
    }
    this.train(data);
    return this;
  }

  /** Plain SGD with a decaying rate; L2 applied through one global scale factor (Bottou's trick) so
   * each step only touches the example's non-zero features. */
  private train(data: Example[]) {
    const K = this.labels.length;
    const { lambda, eta0, epochs } = this.o;
    this.w = new Float64Array(this.dim * K);
    const w = this.w;
    const b = this.b.fill(0);
    let scale = 1;
    let t = 0;
    const random = rng(this.o.seed);
    const order = data.map((_, i) => i);
    const p = new Float64Array(K);
    for (let epoch = 0; epoch < epochs; epoch++) {
      shuffle(order, random);
      for (const i of order) {
        const { x, y } = data[i]!;
        const eta = eta0 / (1 + lambda * eta0 * t++);
        p.fill(0);
        for (let n = 0; n < x.idx.length; n++) {
          const base = x.idx[n]! * K;
          for (let k = 0; k < K; k++) p[k]! += w[base + k]! * x.val[n]!;
        }
        for (let k = 0; k < K; k++) p[k] = p[k]! * scale + b[k]!;
        softmaxInPlace(p);
        p[y]! -= 1; // now the gradient of the loss w.r.t. the logits
        scale *= 1 - eta * lambda;
        if (scale < 1e-6) {
          for (let j = 0; j < w.length; j++) w[j]! *= scale;
          scale = 1;
        }
        for (let n = 0; n < x.idx.length; n++) {
          const base = x.idx[n]! * K;
          const step = (eta * x.val[n]!) / scale;
          for (let k = 0; k < K; k++) w[base + k]! -= step * p[k]!;
        }
        for (let k = 0; k < K; k++) b[k]! -= eta * 0.1 * p[k]!;
      }
    }
    for (let j = 0; j < w.length; j++) w[j]! *= scale;
  }

  /** Raw class scores before the softmax (and before the temperature). */
  logits(x: SparseVec): Float64Array {
    const K = this.labels.length;
    const z = Float64Array.from(this.b);
    for (let n = 0; n < x.idx.length; n++) {
      const base = x.idx[n]! * K;
      if (base >= this.w.length) continue;
      for (let k = 0; k < K; k++) z[k]! += this.w[base + k]! * x.val[n]!;
    }
    return z;
  }

  /** Calibrated class probabilities, in the order of `labels`. */
  predictProba(x: SparseVec): Float64Array {
    const z = this.logits(x);
    for (let k = 0; k < z.length; k++) z[k]! /= this.temperature;
    return softmaxInPlace(z);
  }

  /** The most probable label and its calibrated probability. */
  predict(x: SparseVec): { label: L; prob: number; proba: Float64Array } {
    const proba = this.predictProba(x);
    let best = 0;
    for (let k = 1; k < proba.length; k++) if (proba[k]! > proba[best]!) best = k;
    return { label: this.labels[best]!, prob: proba[best]!, proba };
  }
}

function softmaxInPlace(z: Float64Array): Float64Array {
  let max = -Infinity;
  for (const v of z) max = Math.max(max, v);
  let sum = 0;
  for (let k = 0; k < z.length; k++) sum += z[k] = Math.exp(z[k]! - max);
  for (let k = 0; k < z.length; k++) z[k]! /= sum;
  return z;
}

function shuffle<T>(a: T[], random: () => number): T[] {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

/** Temperature minimising the negative log-likelihood of held-out logits (grid over log T). */
function fitTemperature(logits: Float64Array[], ys: number[]): number {
  let best = { t: 1, nll: Infinity };
  for (let lt = -2; lt <= 2.5; lt += 0.02) {
    const t = Math.exp(lt);
    let nll = 0;
    for (let i = 0; i < logits.length; i++) {
      const z = logits[i]!.map((v) => v / t);
      nll -= Math.log(softmaxInPlace(z)[ys[i]!]! + 1e-12);
    }
    if (nll < best.nll) best = { t, nll };
  }
  return best.t;
}
