//! Brown clusters (Brown et al. 1992) by the windowed agglomerative algorithm of Liang (2005,
//! `wcluster`): words are taken by decreasing frequency; the most frequent `clusters` words
//! start as clusters of their own, every further word enters as a new cluster and the pair of
//! active clusters whose merge loses the least average mutual information (AMI) of the
//! cluster bigram model is merged; when every word is in, the remaining clusters are merged
//! down to one and that merge tree gives each cluster a bit path (left 0, right 1). Words of a
//! cluster share its path; paths of clusters that merged late share only short prefixes.
//!
//! The model: `P(c, d)` is the bigram count of cluster `c` followed by cluster `d` (within
//! sentences, among the words already added), the marginals are the clusters' unigram counts
//! (as in `wcluster`), and the AMI is `sum P(c, d) log(P(c, d) / (P(c) P(d)))`. Losses of all
//! active pairs are kept and updated after each merge in `O(clusters^2)` (the update of a pair
//! only needs the merged clusters' counts), so a run costs `O(words * clusters^2)`; `n log n`
//! of the integer counts comes from a table, which keeps every update exact up to rounding.
//! Deterministic: ties go to the lowest slots, words of equal frequency in byte order.

use std::collections::HashMap;
use std::fmt::Write as _;

use crate::lexicon::normalise_lower;
use crate::model::NerError;

/// Settings of [`brown_clusters`].
#[derive(Debug, Clone)]
pub struct BrownOptions {
    /// Active clusters (the final number of clusters, and the window of the algorithm).
    pub clusters: usize,
    /// Words seen fewer times are not clustered.
    pub min_count: u32,
    /// At most this many words (the most frequent) are clustered.
    pub max_words: usize,
    /// Worker threads for the `O(clusters^2)` loops (results do not depend on it).
    pub threads: usize,
}

impl Default for BrownOptions {
    fn default() -> BrownOptions {
        BrownOptions {
            clusters: 500,
            min_count: 3,
            max_words: 60_000,
            threads: 2,
        }
    }
}

/// A word's cluster: its bit path from the root of the merge tree and its count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrownEntry {
    pub word: String,
    pub path: String,
    pub count: u32,
}

/// Brown clusters of normalised lower-case words (digits read as `0`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BrownClusters {
    pub entries: Vec<BrownEntry>,
}

impl BrownClusters {
    /// Liang's `paths` format: one `path<TAB>word<TAB>count` line per word, by path then by
    /// decreasing count.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for entry in &self.entries {
            let _ = writeln!(out, "{}\t{}\t{}", entry.path, entry.word, entry.count);
        }
        out
    }

    /// Read [`BrownClusters::to_text`] (or `wcluster`'s `paths` file).
    pub fn parse(text: &str) -> Result<BrownClusters, NerError> {
        let mut entries = Vec::new();
        for line in text.lines() {
            if line.trim().is_empty() {
                continue;
            }
            let mut fields = line.split('\t');
            let (Some(path), Some(word)) = (fields.next(), fields.next()) else {
                return Err(NerError::Corrupt("brown clusters: line without a word"));
            };
            if path.is_empty() || !path.bytes().all(|b| b == b'0' || b == b'1') {
                return Err(NerError::Corrupt(
                    "brown clusters: path is not a bit string",
                ));
            }
            let count = fields
                .next()
                .map(|c| c.trim().parse::<u32>())
                .transpose()
                .map_err(|_| NerError::Corrupt("brown clusters: bad count"))?
                .unwrap_or(0);
            entries.push(BrownEntry {
                word: word.to_string(),
                path: path.to_string(),
                count,
            });
        }
        Ok(BrownClusters { entries })
    }

    /// The path of a word, if it was clustered.
    pub fn path(&self, word: &str) -> Option<&str> {
        self.entries
            .iter()
            .find(|entry| entry.word == word)
            .map(|entry| entry.path.as_str())
    }
}

/// Counts below this take `n ln n` from a table.
const TABLE: usize = 1 << 16;

struct Clusterer {
    /// Slots: `clusters + 1` (one free slot for the entering word).
    slots: usize,
    /// `n[c * slots + d]`: bigram count of cluster `c` followed by cluster `d`.
    n: Vec<u32>,
    /// Transposed `n`.
    nt: Vec<u32>,
    /// Unigram count and its log per slot.
    unigram: Vec<f64>,
    log_unigram: Vec<f64>,
    /// `s[c]`: the AMI terms that involve `c` (row, column, the diagonal once).
    s: Vec<f64>,
    /// `loss[c * slots + d]`, `c < d`: AMI lost by merging `c` and `d`.
    loss: Vec<f64>,
    /// Active slots, ascending.
    active: Vec<usize>,
    /// `n ln n` for small `n`.
    nlogn: Vec<f64>,
    /// Constant `ln(tokens^2 / bigrams)` (cancels in every loss; keeps the AMI meaningful).
    k: f64,
    threads: usize,
}

impl Clusterer {
    #[inline]
    fn f(&self, n: u32) -> f64 {
        let n = n as usize;
        if n < TABLE {
            self.nlogn[n]
        } else {
            let x = n as f64;
            x * x.ln()
        }
    }

    /// AMI term of a bigram count between clusters with log unigram counts `l1`, `l2`.
    #[inline]
    fn q(&self, n: u32, l1: f64, l2: f64) -> f64 {
        if n == 0 {
            0.0
        } else {
            self.f(n) + f64::from(n) * (self.k - l1 - l2)
        }
    }

    #[inline]
    fn at(&self, c: usize, d: usize) -> usize {
        c * self.slots + d
    }

    /// `s[c]` from scratch.
    fn s_of(&self, c: usize) -> f64 {
        let lc = self.log_unigram[c];
        let mut sum = 0.0;
        for &e in &self.active {
            let le = self.log_unigram[e];
            sum += self.q(self.n[self.at(c, e)], lc, le) + self.q(self.nt[self.at(c, e)], le, lc);
        }
        sum - self.q(self.n[self.at(c, c)], lc, lc)
    }

    /// Loss of merging `a` and `b` from scratch (`O(active)`).
    fn loss_of(&self, a: usize, b: usize) -> f64 {
        let lm = (self.unigram[a] + self.unigram[b]).ln();
        let (la, lb) = (self.log_unigram[a], self.log_unigram[b]);
        let mut sum = self.s[a] + self.s[b]
            - self.q(self.n[self.at(a, b)], la, lb)
            - self.q(self.n[self.at(b, a)], lb, la);
        let diagonal = self.n[self.at(a, a)]
            + self.n[self.at(a, b)]
            + self.n[self.at(b, a)]
            + self.n[self.at(b, b)];
        sum -= self.q(diagonal, lm, lm);
        let (row_a, row_b) = (&self.n[a * self.slots..], &self.n[b * self.slots..]);
        let (col_a, col_b) = (&self.nt[a * self.slots..], &self.nt[b * self.slots..]);
        for &e in &self.active {
            if e == a || e == b {
                continue;
            }
            let le = self.log_unigram[e];
            sum -= self.q(row_a[e] + row_b[e], lm, le) + self.q(col_a[e] + col_b[e], le, lm);
        }
        sum
    }

    /// Recompute `loss(c, x)` for every active `x` other than `c`.
    fn refresh_losses_of(&mut self, c: usize) {
        let others: Vec<usize> = self.active.iter().copied().filter(|&x| x != c).collect();
        let values = self.map_parallel(&others, |this, &x| this.loss_of(c, x));
        for (x, value) in others.into_iter().zip(values) {
            let at = self.at(c.min(x), c.max(x));
            self.loss[at] = value;
        }
    }

    /// `f` over `items` on up to `threads` threads, in order.
    fn map_parallel<T: Sync, R: Send>(
        &self,
        items: &[T],
        f: impl Fn(&Clusterer, &T) -> R + Sync,
    ) -> Vec<R> {
        let threads = self.threads.max(1);
        if threads == 1 || items.len() < 64 {
            return items.iter().map(|item| f(self, item)).collect();
        }
        let chunk = items.len().div_ceil(threads);
        std::thread::scope(|scope| {
            let handles: Vec<_> = items
                .chunks(chunk)
                .map(|part| {
                    let f = &f;
                    scope.spawn(move || part.iter().map(|item| f(self, item)).collect::<Vec<R>>())
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                .collect()
        })
    }

    /// The active pair with the least loss (lowest slots on ties).
    fn best_pair(&self) -> (usize, usize) {
        let mut best = (f64::INFINITY, 0, 0);
        for (i, &c) in self.active.iter().enumerate() {
            let row = &self.loss[c * self.slots..];
            for &d in &self.active[i + 1..] {
                if row[d] < best.0 {
                    best = (row[d], c, d);
                }
            }
        }
        (best.1, best.2)
    }

    /// Put a word into the free slot `k` with its bigram counts against the active clusters
    /// (`right`: (slot, count) of words after it, `left`: before it, `own`: the word after
    /// itself).
    fn add(&mut self, k: usize, count: f64, right: &[(usize, u32)], left: &[(usize, u32)]) {
        for &(slot, c) in right {
            let at = self.at(k, slot);
            self.n[at] += c;
            let at = self.at(slot, k);
            self.nt[at] += c;
        }
        for &(slot, c) in left {
            let at = self.at(slot, k);
            self.n[at] += c;
            let at = self.at(k, slot);
            self.nt[at] += c;
        }
        self.unigram[k] = count;
        self.log_unigram[k] = count.ln();
        let lk = self.log_unigram[k];
        // Pairs of old clusters: the new cluster adds terms to s(c) and to their merged row.
        let touched: Vec<usize> = self
            .active
            .iter()
            .copied()
            .filter(|&c| self.n[self.at(c, k)] > 0 || self.n[self.at(k, c)] > 0)
            .collect();
        for &c in &touched {
            let lc = self.log_unigram[c];
            self.s[c] +=
                self.q(self.n[self.at(c, k)], lc, lk) + self.q(self.n[self.at(k, c)], lk, lc);
        }
        let mut is_touched = vec![false; self.slots];
        for &c in &touched {
            is_touched[c] = true;
        }
        for &c in &touched {
            for &d in &self.active {
                if d == c || (is_touched[d] && d < c) {
                    continue;
                }
                let delta = self.pair_with_new(c, d, k);
                let at = self.at(c.min(d), c.max(d));
                self.loss[at] += delta;
            }
        }
        let position = self.active.partition_point(|&x| x < k);
        self.active.insert(position, k);
        self.s[k] = self.s_of(k);
        self.refresh_losses_of(k);
    }

    /// Change of `loss(c, d)` when cluster `k` enters: `+q(c,k) + q(k,c) + q(d,k) + q(k,d)`
    /// in `s(c) + s(d)`, `-q(cd,k) - q(k,cd)` in the merged cluster's terms.
    fn pair_with_new(&self, c: usize, d: usize, k: usize) -> f64 {
        let (lc, ld) = (self.log_unigram[c], self.log_unigram[d]);
        let lcd = (self.unigram[c] + self.unigram[d]).ln();
        let part = |x: u32, y: u32| {
            if x == 0 && y == 0 {
                0.0
            } else {
                self.f(x) + self.f(y) - self.f(x + y) - f64::from(x) * lc - f64::from(y) * ld
                    + f64::from(x + y) * lcd
            }
        };
        part(self.n[self.at(c, k)], self.n[self.at(d, k)])
            + part(self.n[self.at(k, c)], self.n[self.at(k, d)])
    }

    /// Merge `b` into `a` (`a < b`); `b` becomes free.
    fn merge(&mut self, a: usize, b: usize) {
        let (la, lb) = (self.log_unigram[a], self.log_unigram[b]);
        let lm = (self.unigram[a] + self.unigram[b]).ln();
        let others: Vec<usize> = self
            .active
            .iter()
            .copied()
            .filter(|&c| c != a && c != b)
            .collect();
        // Change of s(c) for every other cluster.
        let mut delta_s = vec![0.0; self.slots];
        for &c in &others {
            let lc = self.log_unigram[c];
            let (ca, cb) = (self.n[self.at(c, a)], self.n[self.at(c, b)]);
            let (ac, bc) = (self.n[self.at(a, c)], self.n[self.at(b, c)]);
            delta_s[c] = self.q(ca + cb, lc, lm) + self.q(ac + bc, lm, lc)
                - self.q(ca, lc, la)
                - self.q(cb, lc, lb)
                - self.q(ac, la, lc)
                - self.q(bc, lb, lc);
        }
        // Update the losses of the other pairs.
        let col_a: Vec<u32> = (0..self.slots).map(|c| self.n[self.at(c, a)]).collect();
        let col_b: Vec<u32> = (0..self.slots).map(|c| self.n[self.at(c, b)]).collect();
        let row_a: Vec<u32> = self.n[a * self.slots..(a + 1) * self.slots].to_vec();
        let row_b: Vec<u32> = self.n[b * self.slots..(b + 1) * self.slots].to_vec();
        let indices: Vec<usize> = (0..others.len()).collect();
        let rows: Vec<Vec<f64>> = self.map_parallel(&indices, |this, &i| {
            let c = others[i];
            let g = |x: u32, y: u32| {
                if x == 0 && y == 0 {
                    0.0
                } else {
                    this.f(x) + this.f(y) - this.f(x + y) - f64::from(x) * la - f64::from(y) * lb
                        + f64::from(x + y) * lm
                }
            };
            others[i + 1..]
                .iter()
                .map(|&d| {
                    delta_s[c]
                        + delta_s[d]
                        + g(col_a[c] + col_a[d], col_b[c] + col_b[d])
                        + g(row_a[c] + row_a[d], row_b[c] + row_b[d])
                })
                .collect()
        });
        for (i, deltas) in rows.into_iter().enumerate() {
            let c = others[i];
            for (&d, delta) in others[i + 1..].iter().zip(deltas) {
                let at = self.at(c, d);
                self.loss[at] += delta;
            }
        }
        // Counts: row and column of b into a.
        let slots = self.slots;
        for j in 0..slots {
            let v = self.n[b * slots + j];
            self.n[a * slots + j] += v;
            self.n[b * slots + j] = 0;
            let v = self.nt[b * slots + j];
            self.nt[a * slots + j] += v;
            self.nt[b * slots + j] = 0;
        }
        for i in 0..slots {
            let v = self.n[i * slots + b];
            self.n[i * slots + a] += v;
            self.n[i * slots + b] = 0;
            let v = self.nt[i * slots + b];
            self.nt[i * slots + a] += v;
            self.nt[i * slots + b] = 0;
        }
        self.unigram[a] += self.unigram[b];
        self.log_unigram[a] = self.unigram[a].ln();
        self.unigram[b] = 0.0;
        self.s[b] = 0.0;
        self.active.retain(|&x| x != b);
        for &c in &others {
            self.s[c] += delta_s[c];
        }
        self.s[a] = self.s_of(a);
        self.refresh_losses_of(a);
    }
}

/// Brown clusters of the words of `sentences` (tokens; lower-cased and normalised here).
pub fn brown_clusters<'a>(
    sentences: impl Iterator<Item = Vec<&'a str>>,
    options: &BrownOptions,
) -> BrownClusters {
    // Vocabulary by decreasing frequency.
    let mut ids: HashMap<String, u32> = HashMap::new();
    let mut words: Vec<String> = Vec::new();
    let mut counts: Vec<u32> = Vec::new();
    let mut corpus: Vec<Vec<u32>> = Vec::new();
    let mut tokens = 0u64;
    for sentence in sentences {
        let mut ids_of_sentence = Vec::with_capacity(sentence.len());
        for word in sentence {
            let lower = normalise_lower(word);
            let id = match ids.get(&lower) {
                Some(&id) => id,
                None => {
                    let id = words.len() as u32;
                    ids.insert(lower.clone(), id);
                    words.push(lower);
                    counts.push(0);
                    id
                }
            };
            counts[id as usize] += 1;
            tokens += 1;
            ids_of_sentence.push(id);
        }
        corpus.push(ids_of_sentence);
    }
    let mut order: Vec<u32> = (0..words.len() as u32)
        .filter(|&id| counts[id as usize] >= options.min_count.max(1))
        .collect();
    order.sort_by(|&a, &b| {
        counts[b as usize]
            .cmp(&counts[a as usize])
            .then_with(|| words[a as usize].cmp(&words[b as usize]))
    });
    order.truncate(options.max_words);
    if order.is_empty() {
        return BrownClusters::default();
    }
    // Rank of each clustered word (u32::MAX: not clustered).
    let mut rank = vec![u32::MAX; words.len()];
    for (r, &id) in order.iter().enumerate() {
        rank[id as usize] = r as u32;
    }
    // Bigrams between clustered words, by rank: right[r] = (rank after, count).
    let mut bigrams: HashMap<(u32, u32), u32> = HashMap::new();
    let mut bigram_total = 0u64;
    for sentence in &corpus {
        for pair in sentence.windows(2) {
            let (x, y) = (rank[pair[0] as usize], rank[pair[1] as usize]);
            if x != u32::MAX && y != u32::MAX {
                *bigrams.entry((x, y)).or_insert(0) += 1;
                bigram_total += 1;
            }
        }
    }
    drop(corpus);
    let mut right: Vec<Vec<(u32, u32)>> = vec![Vec::new(); order.len()];
    let mut left: Vec<Vec<(u32, u32)>> = vec![Vec::new(); order.len()];
    for (&(x, y), &c) in &bigrams {
        right[x as usize].push((y, c));
        if x != y {
            left[y as usize].push((x, c));
        }
    }
    for list in right.iter_mut().chain(left.iter_mut()) {
        list.sort_unstable();
    }
    drop(bigrams);

    let clusters = options.clusters.clamp(2, order.len().max(2));
    let slots = clusters + 1;
    let mut nlogn = vec![0.0; TABLE];
    for (n, value) in nlogn.iter_mut().enumerate().skip(1) {
        let x = n as f64;
        *value = x * x.ln();
    }
    let tokens = tokens.max(1) as f64;
    let mut state = Clusterer {
        slots,
        n: vec![0; slots * slots],
        nt: vec![0; slots * slots],
        unigram: vec![0.0; slots],
        log_unigram: vec![0.0; slots],
        s: vec![0.0; slots],
        loss: vec![0.0; slots * slots],
        active: Vec::with_capacity(slots),
        nlogn,
        k: (tokens * tokens / bigram_total.max(1) as f64).ln(),
        threads: options.threads,
    };
    // Slot of every word already added; members of every slot.
    let mut slot_of = vec![usize::MAX; order.len()];
    let mut members: Vec<Vec<u32>> = vec![Vec::new(); slots];
    let mut free: Vec<usize> = (0..slots).rev().collect();
    let gather = |list: &[(u32, u32)], slot_of: &[usize]| -> Vec<(usize, u32)> {
        let mut out: Vec<(usize, u32)> = Vec::new();
        for &(r, c) in list {
            let slot = slot_of[r as usize];
            if slot != usize::MAX {
                out.push((slot, c));
            }
        }
        out
    };
    for (r, &id) in order.iter().enumerate() {
        let k = free.pop().expect("a free slot");
        slot_of[r] = k;
        members[k].push(r as u32);
        let r_list = gather(&right[r], &slot_of);
        let l_list = gather(&left[r], &slot_of);
        state.add(k, f64::from(counts[id as usize]), &r_list, &l_list);
        if state.active.len() > clusters {
            let (a, b) = state.best_pair();
            state.merge(a, b);
            let moved = std::mem::take(&mut members[b]);
            for &m in &moved {
                slot_of[m as usize] = a;
            }
            members[a].extend(moved);
            free.push(b);
        }
    }
    // Merge the remaining clusters down to one, recording the tree.
    // Nodes: leaves are the final clusters (by slot), then one node per merge.
    let mut node_of: Vec<usize> = (0..slots).collect();
    let mut children: Vec<Option<(usize, usize)>> = vec![None; slots];
    while state.active.len() > 1 {
        let (a, b) = state.best_pair();
        state.merge(a, b);
        children.push(Some((node_of[a], node_of[b])));
        node_of[a] = children.len() - 1;
    }
    let root = node_of[state.active[0]];
    let mut paths: Vec<String> = vec![String::new(); children.len()];
    let mut stack = vec![(root, String::new())];
    while let Some((node, path)) = stack.pop() {
        match children[node] {
            Some((l, r)) => {
                stack.push((r, format!("{path}1")));
                stack.push((l, format!("{path}0")));
            }
            None => paths[node] = if path.is_empty() { "0".into() } else { path },
        }
    }
    let mut entries: Vec<BrownEntry> = Vec::with_capacity(order.len());
    for (slot, list) in members.iter().enumerate() {
        for &r in list {
            let id = order[r as usize] as usize;
            entries.push(BrownEntry {
                word: words[id].clone(),
                path: paths[slot].clone(),
                count: counts[id],
            });
        }
    }
    entries.sort_by(|a, b| {
        a.path
            .cmp(&b.path)
            .then(b.count.cmp(&a.count))
            .then_with(|| a.word.cmp(&b.word))
    });
    BrownClusters { entries }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn common_prefix(a: &str, b: &str) -> usize {
        a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count()
    }

    fn corpus() -> Vec<Vec<String>> {
        let mut text: Vec<Vec<&str>> = Vec::new();
        let animals = ["cat", "dog", "cow", "horse"];
        let cities = ["paris", "rome", "oslo", "lima"];
        let verbs = ["eats", "sees", "likes"];
        for round in 0..6 {
            for (i, animal) in animals.iter().enumerate() {
                let verb = verbs[(i + round) % verbs.len()];
                text.push(vec!["the", animal, verb, "the", animals[(i + 1) % 4], "."]);
            }
            for (i, city) in cities.iter().enumerate() {
                text.push(vec![
                    "flights",
                    "to",
                    city,
                    "from",
                    cities[(i + round) % 4],
                    ".",
                ]);
            }
        }
        text.into_iter()
            .map(|s| s.into_iter().map(str::to_string).collect())
            .collect()
    }

    fn sentences(text: &[Vec<String>]) -> impl Iterator<Item = Vec<&str>> {
        text.iter().map(|s| s.iter().map(String::as_str).collect())
    }

    #[test]
    fn words_in_the_same_contexts_share_long_prefixes() {
        let options = BrownOptions {
            clusters: 6,
            min_count: 1,
            max_words: 1000,
            threads: 1,
        };
        let text = corpus();
        let clusters = brown_clusters(sentences(&text), &options);
        let path = |w: &str| clusters.path(w).expect("clustered").to_string();
        let within = |group: &[&str]| {
            group
                .iter()
                .flat_map(|a| group.iter().map(move |b| (a, b)))
                .filter(|(a, b)| a != b)
                .map(|(a, b)| common_prefix(&path(a), &path(b)))
                .min()
                .unwrap_or(0)
        };
        let animals = ["cat", "dog", "cow", "horse"];
        let cities = ["paris", "rome", "oslo", "lima"];
        let across = animals
            .iter()
            .flat_map(|a| {
                cities
                    .iter()
                    .map(move |c| common_prefix(&path(a), &path(c)))
            })
            .max()
            .unwrap_or(0);
        assert!(within(&animals) > across, "{clusters:?}");
        assert!(within(&cities) > across, "{clusters:?}");
        // Every word has a path; there are at most `clusters` distinct paths.
        assert_eq!(clusters.entries.len(), 16);
        let mut distinct: Vec<&str> = clusters.entries.iter().map(|e| e.path.as_str()).collect();
        distinct.sort_unstable();
        distinct.dedup();
        assert!(distinct.len() <= 6);
        assert_eq!(clusters.path("unseen"), None);
    }

    #[test]
    fn threads_do_not_change_the_result_and_text_round_trips() {
        let mut options = BrownOptions {
            clusters: 80,
            min_count: 1,
            max_words: 1000,
            threads: 1,
        };
        // More words than clusters and more than the threaded loops' minimum.
        let mut text = corpus();
        // Digits read as 0, so the numbers are spelled in letters.
        let spell = |n: usize| -> String {
            n.to_string()
                .bytes()
                .map(|b| char::from(b'a' + (b - b'0')))
                .collect()
        };
        for i in 0..120 {
            let word = format!("w{}", spell(i % 90));
            let other = format!("x{}", spell((i * 7) % 50));
            text.push(vec!["the".into(), word, "eats".into(), other, ".".into()]);
        }
        let one = brown_clusters(sentences(&text), &options);
        options.threads = 3;
        let three = brown_clusters(sentences(&text), &options);
        assert!(one.entries.len() > 100);
        assert_eq!(one, three);
        assert_eq!(BrownClusters::parse(&one.to_text()), Ok(one));
        assert!(BrownClusters::parse("01x\tword\t3").is_err());
    }

    /// The incremental losses equal losses computed from scratch.
    #[test]
    fn incremental_losses_match_recomputed_ones() {
        let mut state = Clusterer {
            slots: 4,
            n: vec![0; 16],
            nt: vec![0; 16],
            unigram: vec![0.0; 4],
            log_unigram: vec![0.0; 4],
            s: vec![0.0; 4],
            loss: vec![0.0; 16],
            active: Vec::new(),
            nlogn: (0..TABLE)
                .map(|n| {
                    if n == 0 {
                        0.0
                    } else {
                        n as f64 * (n as f64).ln()
                    }
                })
                .collect(),
            k: 0.3,
            threads: 1,
        };
        state.add(0, 10.0, &[(0, 2)], &[]);
        state.add(1, 8.0, &[(0, 3), (1, 1)], &[(0, 4)]);
        state.add(2, 7.0, &[(1, 2)], &[(0, 1), (1, 2)]);
        state.add(3, 5.0, &[(0, 1), (2, 2)], &[(1, 3), (2, 1)]);
        let check = |state: &Clusterer| {
            for (i, &c) in state.active.iter().enumerate() {
                assert!((state.s[c] - state.s_of(c)).abs() < 1e-9);
                for &d in &state.active[i + 1..] {
                    let stored = state.loss[state.at(c, d)];
                    let fresh = state.loss_of(c, d);
                    assert!(
                        (stored - fresh).abs() < 1e-9,
                        "{c} {d}: {stored} vs {fresh}"
                    );
                }
            }
        };
        check(&state);
        state.merge(1, 3);
        check(&state);
        state.merge(0, 2);
        check(&state);
    }
}
