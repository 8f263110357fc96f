"""A compact vector per paper for the reader's desk: TF-IDF over title and abstract, reduced by truncated SVD to
``DIMS`` dimensions and quantised to int8, so the browser can rank recent papers by cosine similarity against the
papers a reader saved.

- Terms are those of the related papers (``site/terms.py``: title words counted twice), weighted by sublinear term
  frequency times smoothed inverse document frequency (scikit-learn's ``CountVectorizer`` and ``TfidfTransformer``,
  the two halves of its ``TfidfVectorizer``: the counts are kept to weigh every paper the same way).
- The model (vocabulary, IDF, SVD components) is fitted on the *reference* papers of ``site/related.py``: the oldest
  papers, as many as the largest of 100, 200, 500, 1000, ... that the site holds (all of them on a small site). A
  daily listing adds the newest papers, so the model and every existing vector stay byte-identical until the site
  reaches the next reference size; a paper edited or backdated into the reference fits the model again.
- A vector is the paper's TF-IDF row (L2-normalised) times the components, quantised per vector as
  ``round(v * 127 / max|v|)``: cosine does not depend on a vector's scale, so no scale is stored. Empty text, or
  text with no term of the vocabulary, gives the zero vector. A reference too small for ``DIMS`` components leaves
  the last ones zero.
- Deterministic: the SVD has a fixed seed and runs on one BLAS thread (more threads change its last bits, and the
  rounding of a vector may follow them); a paper's vector is computed from its own row alone (sparse times dense,
  in scipy's fixed order), so it does not depend on which papers are computed with it.

``desk_vectors`` keeps what the next build needs (``DeskState``): a build transforms only the papers whose text
it has not seen, and fits again only when the reference changed.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import metadata
from typing import TYPE_CHECKING, Any

from generator.site.related import reference
from generator.site.terms import Document, terms

DIMS = 64
"""Dimensions of a vector: bytes per paper."""
SEED = 0
"""The random state of the truncated SVD (its randomised range finder)."""
FILTER_FROM = 20
"""From this many reference papers on, terms in one paper only or in more than ``MAX_DF`` of them are dropped."""
MAX_DF = 0.5
"""The share of reference papers beyond which a term says nothing of a paper's subject (as in ``related.py``)."""
VERSION = 1
"""Changes whenever the vectors may change: a state of another version is fitted again."""

if TYPE_CHECKING:  # numpy and scipy are imported where vectors are computed: every command imports this module
    import numpy as np

Vectors = dict[str, bytes]
"""slug -> the paper's vector: ``DIMS`` bytes, each a signed int8."""
Text = tuple[str, str]
"""A paper's title and abstract: what its vector is made of."""


@dataclass(frozen=True, slots=True)
class Model:
    """What the reference papers fix for every vector, until the reference changes."""

    key: bytes
    """Hash of the settings, the library versions and the reference papers' slugs and texts (``_model_key``)."""
    vocabulary: dict[str, int]
    """term -> its column in ``idf`` and ``components``."""
    idf: np.ndarray[Any, np.dtype[np.float64]]
    """Smoothed inverse document frequency of each term."""
    components: np.ndarray[Any, np.dtype[np.float32]]
    """(terms, ``DIMS``): the SVD's components, transposed (float32: half the state, and the int8 vectors need no
    more), zero where the reference had too few of them."""


@dataclass(frozen=True, slots=True)
class DeskState:
    """The desk vectors of a corpus, and what ``desk_vectors`` reuses for the next corpus."""

    model: Model
    """The model every vector below was made with."""
    known: dict[bytes, bytes]
    """Hash of a paper's text (``text_digest``) -> its vector, for the papers of this corpus."""
    vectors: Vectors
    """slug -> vector, for every paper of this corpus (in slug order)."""
    transformed: int
    """How many texts this call turned into vectors (the others were known)."""


def text_digest(text: Text) -> bytes:
    """Hash of what a paper's vector is made of, given the model: its title and abstract."""
    data = f"{text[0]}\0{text[1]}".encode("utf-8", "surrogatepass")
    return hashlib.blake2b(data, digest_size=16).digest()


def analyze(text: Text) -> list[str]:
    """The index terms of a paper's title and abstract, title terms twice (as ``terms.term_counts`` counts them)."""
    title = terms(text[0])
    return title + title + terms(text[1])


def desk_vectors(papers: Sequence[Document], previous: DeskState | None) -> DeskState:
    """The vectors of ``papers``, transforming only the texts ``previous`` knows no vector for. With no previous
    state, or one made with another reference, the model is fitted anew (which gives the reference papers' vectors)
    and every other text transformed. The result equals ``desk_vectors(papers, None)``."""
    ordered = sorted(papers, key=lambda p: p.slug)
    texts = [(p.title, p.abstract) for p in ordered]
    digests = [text_digest(t) for t in texts]
    numbers = reference(ordered)
    key = _model_key([ordered[i].slug for i in numbers], [digests[i] for i in numbers])
    if previous is not None and previous.model.key == key:
        model, known, made = previous.model, previous.known, 0
    else:
        model, fitted = fit([texts[i] for i in numbers], key)
        known = dict(zip((digests[i] for i in numbers), fitted, strict=True))
        made = len(known)
    fresh = sorted({d: t for d, t in zip(digests, texts, strict=True) if d not in known}.items())
    known = known | dict(zip((d for d, _ in fresh), transform(model, [t for _, t in fresh]), strict=True))
    kept = {d: known[d] for d in digests}
    vectors = {p.slug: kept[d] for p, d in zip(ordered, digests, strict=True)}
    return DeskState(model, kept, vectors, made + len(fresh))


def _model_key(slugs: Sequence[str], digests: Sequence[bytes]) -> bytes:
    """Hash of the settings, the libraries that compute the model, and the reference papers (slug order)."""
    versions = " ".join(metadata.version(name) for name in ("scikit-learn", "scipy", "numpy"))
    settings = f"desk {VERSION} {DIMS} {SEED} {FILTER_FROM} {MAX_DF} {versions}"
    digest = hashlib.blake2b(settings.encode(), digest_size=16)
    for slug, text in zip(slugs, digests, strict=True):
        digest.update(slug.encode("utf-8", "surrogatepass") + b"\0" + text)
    return digest.digest()


def fit(texts: Sequence[Text], key: bytes) -> tuple[Model, list[bytes]]:
    """The model of the reference papers' ``texts`` (their vocabulary and IDF, and the truncated SVD of their
    TF-IDF matrix, on one BLAS thread so the components repeat exactly), and their vectors."""
    import numpy as np

    # imported here: scikit-learn takes 1.5 s to import, and a build that only transforms new papers needs none of it
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer
    from threadpoolctl import threadpool_limits

    filtered = len(texts) >= FILTER_FROM
    counter = CountVectorizer(analyzer=analyze, min_df=2 if filtered else 1, max_df=MAX_DF if filtered else 1.0)
    try:
        counts = counter.fit_transform(texts)
    except ValueError:  # not one term to keep
        return Model(key, {}, np.zeros(0), np.zeros((0, DIMS), dtype=np.float32)), [bytes(DIMS)] * len(texts)
    idf = np.asarray(TfidfTransformer(sublinear_tf=True).fit(counts).idf_, dtype=np.float64)
    weights = _weigh(counts, idf)
    components = np.zeros((len(idf), DIMS), dtype=np.float32)
    rank = min(DIMS, min(weights.shape) - 1)  # the solvers need fewer components than rows and columns
    if rank > 0:
        with threadpool_limits(limits=1):
            svd = TruncatedSVD(n_components=rank, random_state=SEED).fit(weights)
        components[:, :rank] = svd.components_.T
    vocabulary = {term: int(column) for term, column in sorted(counter.vocabulary_.items())}
    model = Model(key, vocabulary, idf, components)
    return model, _project(model, weights)


def transform(model: Model, texts: Sequence[Text]) -> list[bytes]:
    """The vector of each of ``texts`` under ``model``: as ``fit`` gives the reference papers theirs (the same
    term counts, weighed and projected by the same functions)."""
    import numpy as np
    import scipy.sparse

    columns = model.vocabulary
    indptr, indices, data = [0], list[int](), list[int]()
    for text in texts:
        row = sorted((columns[term], count) for term, count in Counter(analyze(text)).items() if term in columns)
        indices.extend(column for column, _ in row)
        data.extend(count for _, count in row)
        indptr.append(len(indices))
    counts = scipy.sparse.csr_matrix((data, indices, indptr), shape=(len(texts), len(columns)), dtype=np.float64)
    return _project(model, _weigh(counts, model.idf))


def _weigh(counts: Any, idf: np.ndarray[Any, np.dtype[np.float64]]) -> Any:
    """The TF-IDF rows (CSR) of a term-count matrix: (1 + log count) x IDF, each row scaled to unit length. Each
    row is computed from itself alone, its terms in column order."""
    import numpy as np
    import scipy.sparse

    weights = scipy.sparse.csr_matrix(counts, dtype=np.float64, copy=True)
    weights.sort_indices()
    np.log(weights.data, out=weights.data)
    weights.data += 1.0
    weights.data *= idf[weights.indices]
    squares = weights.multiply(weights)
    norms = np.sqrt(np.asarray(squares.sum(axis=1), dtype=np.float64).ravel())
    weights.data /= np.repeat(norms, np.diff(weights.indptr))  # an empty row has no data to divide
    return weights


def _project(model: Model, weights: Any) -> list[bytes]:
    """The quantised vectors of TF-IDF rows: each row times the components (sparse times dense: row by row, in
    a fixed order, so a vector does not depend on the rows computed with it)."""
    import numpy as np

    if weights.shape[0] == 0:
        return []
    return [quantise(row) for row in np.asarray(weights @ model.components, dtype=np.float64)]


def quantise(vector: np.ndarray[Any, np.dtype[np.float64]]) -> bytes:
    """``round(v * 127 / max|v|)`` as int8 bytes; the zero vector stays zero."""
    import numpy as np

    peak = float(np.max(np.abs(vector)))
    if peak == 0.0:
        return bytes(DIMS)
    return np.rint(vector * 127.0 / peak).astype(np.int8).tobytes()
