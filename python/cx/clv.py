"""Customer lifetime value: BG/NBD and Gamma-Gamma, fitted by maximum likelihood.

Pure functions over numpy arrays; no dataframe library needed. Inputs are the
per-customer purchase summary the warehouse computes in SQL:

- ``frequency`` (x): repeat purchases, counted per distinct day;
- ``recency`` (t_x): weeks from the first to the last purchase;
- ``age`` (T): weeks from the first purchase to the observation end;
- ``monetary``: mean value of the repeat purchases (per-day totals).

Customers with identical (x, t_x, T) contribute identical likelihood terms, so
every function takes an optional ``weights`` array: the warehouse passes one row
per distinct triple with its customer count, which keeps the fit fast at
millions of customers.

References: Fader, Hardie & Lee (2005), "Counting your customers the easy way:
an alternative to the Pareto/NBD model", Marketing Science 24(2); Fader,
Hardie & Lee (2005), "RFM and CLV: using iso-value curves for customer base
analysis", Journal of Marketing Research 42(4); Fader & Hardie (2013), "The
Gamma-Gamma model of monetary value".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import optimize, special

WEEKS_PER_MONTH = 365.25 / 12 / 7
"""4.348 weeks: one calendar month on average."""

Array = NDArray[np.float64]


@dataclass(frozen=True)
class BgNbdParams:
    r: float
    alpha: float
    a: float
    b: float


@dataclass(frozen=True)
class BgNbdCommonDropout:
    """BG/NBD's limit as a, b -> infinity with a / (a + b) fixed: every customer drops out
    after each repeat purchase with the same probability ``dropout``."""

    r: float
    alpha: float
    dropout: float


@dataclass(frozen=True)
class GammaGammaParams:
    p: float
    q: float
    gamma: float


@dataclass(frozen=True)
class GammaGammaCommonRate:
    """Gamma-Gamma's limit as q, gamma -> infinity with q / gamma fixed: every customer's
    order values are Gamma(p, ``nu``) with the same rate, so the same mean p / nu."""

    p: float
    nu: float


BgNbd = BgNbdParams | BgNbdCommonDropout
GammaGamma = GammaGammaParams | GammaGammaCommonRate


@dataclass(frozen=True)
class Fit:
    """A maximum-likelihood fit.

    ``params`` is the full model, or its limiting model when the likelihood's supremum
    lies at a boundary (``boundary`` then says which). ``converged`` is judged on the
    gradient: the largest derivative of the mean log-likelihood per customer with respect
    to the log (or logit) of each parameter, ``gradient_norm``, is at most
    ``GRADIENT_TOLERANCE``. ``standard_errors`` are the asymptotic standard errors of
    those log (logit) parameters, from the observed information; None when the
    information matrix is not positive definite."""

    params: BgNbd | GammaGamma
    log_likelihood: float
    customers: int
    converged: bool
    message: str
    gradient_norm: float
    boundary: str | None = None
    standard_errors: tuple[float, ...] | None = None


class InsufficientData(ValueError):
    """The data cannot identify the model (too few customers, nobody buying twice, ...)."""


class NoEstimate(ValueError):
    """The likelihood keeps rising towards a boundary this module has no limiting model for:
    the maximum-likelihood estimate does not exist."""


GRADIENT_TOLERANCE = 1e-6
"""Convergence: the largest derivative of the mean log-likelihood per customer with respect
to a log (logit) parameter. A change of 1% in any parameter then moves the mean
log-likelihood by less than 1e-8."""

LOG_BOUND = float(np.log(1e6))
"""Log-parameters are searched within +-log(1e6), on data scaled to a mean age (BG/NBD)
or mean spend (Gamma-Gamma) of 1. A parameter that ends on this bound is running to a
boundary of the parameter space, where the maximum-likelihood estimate does not exist."""

_BOUND_MARGIN = 0.5
"""A log-parameter within this of its bound (a factor 1.65) counts as on it."""

FAR_OUT = float(np.log(1e4))
"""A log-parameter beyond +-log(1e4) on the scaled data is far out: the likelihood is so
flat there that the optimiser may stop on the gradient before the bound. Whether it is
running to a boundary is then tested by moving further out (``_runs_off``)."""
_MAX_ITERATIONS = 2000


def _arrays(*values: ArrayLike) -> list[Array]:
    return [np.asarray(v, dtype=np.float64) for v in values]


def _weights(weights: ArrayLike | None, like: Array) -> Array:
    return np.ones_like(like) if weights is None else np.asarray(weights, dtype=np.float64)


# ---- BG/NBD ------------------------------------------------------------------


def _counts(frequency: Array) -> NDArray[np.intp]:
    """Repeat purchases as table indices: whole numbers from 0."""
    if frequency.size and (np.any(frequency < 0) or np.any(frequency != np.floor(frequency))):
        raise ValueError("frequency must be a whole number of repeat purchases, at least 0")
    return frequency.astype(np.intp)


def _sums(values: Array) -> Array:
    """[0, v0, v0 + v1, ...]: entry k is the sum of the first k values, so that
    ``_sums(f(c + arange(K)))[x]`` is sum_{j < x} f(c + j) for every customer at once."""
    return np.concatenate([[0.0], np.cumsum(values)])


def _bgnbd(
    params: BgNbd, x: NDArray[np.intp], t_x: Array, big_t: Array, gradient: bool
) -> tuple[Array, Array | None]:
    """The log-likelihood terms (FHL 2005, equation 6) and, if asked, their derivatives, one
    row per field of the parameter class (r, alpha, a, b; or r, alpha, dropout).

    With integer x the log-gamma ratios are finite sums, tabulated once per evaluation
    (the parameters are shared) and looked up per customer; they stay exact as a, b grow
    (where differences of log-gamma functions lose every digit):
      log G(r+x)/G(r)                    = sum_{j<x} log(r+j)
      log B(a, b+x)/B(a, b)              = sum_{j<x} log(1 - a/(a+b+j))
    and so do their derivatives (digamma differences):
      d/dr log G(r+x)/G(r)               = sum_{j<x} 1/(r+j)
      d/da log B(a, b+x)/B(a, b)         = -sum_{j<x} 1/(a+b+j)
      d/db log B(a, b+x)/B(a, b)         = sum_{j<x} a/((b+j)(a+b+j)).
    The likelihood is L = A + logaddexp(S, D) with S = -(r+x) log(alpha+T) (alive) and
    D = log(a/(b+x-1)) - (r+x) log(alpha+t_x) (dropped out after the last purchase, x > 0);
    with w_S = exp(S - L + A), w_D = exp(D - L + A) every derivative is dA + w_S dS + w_D dD:
      d/dr     = sum 1/(r+j) + log(alpha) - w_S log(alpha+T) - w_D log(alpha+t_x)
      d/dalpha = r/alpha - (r+x) (w_S/(alpha+T) + w_D/(alpha+t_x))
      d/da     = -sum 1/(a+b+j) + w_D/a
      d/db     = sum a/((b+j)(a+b+j)) - w_D/(b+x-1).
    In the common-dropout limit (pi the dropout probability) the Beta part is gone,
    S = x log(1-pi) - ..., D = log(pi) + (x-1) log(1-pi) - ..., and
      d/dpi    = -w_S x/(1-pi) + w_D (1/pi - (x-1)/(1-pi)).
    """
    r, alpha = params.r, params.alpha
    j = np.arange(int(x.max(initial=0)), dtype=np.float64)
    repeat = x > 0
    rate = _sums(np.log(r + j))[x] + r * np.log(alpha)
    log_alive_t = np.log(alpha + big_t)
    log_alive_tx = np.log(alpha + t_x)
    with np.errstate(divide="ignore"):
        if isinstance(params, BgNbdCommonDropout):
            pi = params.dropout
            log_stay, log_drop = np.log1p(-pi), np.log(pi)
            alive = x * log_stay - (r + x) * log_alive_t
            dead = np.where(repeat, log_drop + (x - 1) * log_stay - (r + x) * log_alive_tx, -np.inf)
        else:
            a, b = params.a, params.b
            rate = rate + _sums(np.log1p(-a / (a + b + j)))[x]
            later = np.where(repeat, b + x - 1, 1.0)
            alive = -(r + x) * log_alive_t
            dead = np.where(repeat, np.log(a) - np.log(later) - (r + x) * log_alive_tx, -np.inf)
    mix = np.logaddexp(alive, dead)
    terms = rate + mix
    if not gradient:
        return terms, None
    w_alive, w_dead = np.exp(alive - mix), np.exp(dead - mix)
    d_r = _sums(1 / (r + j))[x] + np.log(alpha) - w_alive * log_alive_t - w_dead * log_alive_tx
    d_alpha = r / alpha - (r + x) * (w_alive / (alpha + big_t) + w_dead / (alpha + t_x))
    if isinstance(params, BgNbdCommonDropout):
        pi = params.dropout
        d_pi = -w_alive * x / (1 - pi) + w_dead * (1 / pi - np.maximum(x - 1, 0) / (1 - pi))
        return terms, np.stack([d_r, d_alpha, d_pi])
    a, b = params.a, params.b
    d_a = -_sums(1 / (a + b + j))[x] + w_dead / a
    d_b = _sums(a / ((b + j) * (a + b + j)))[x] - w_dead / later
    return terms, np.stack([d_r, d_alpha, d_a, d_b])


def bgnbd_log_likelihood_terms(
    params: BgNbd, frequency: ArrayLike, recency: ArrayLike, age: ArrayLike
) -> Array:
    """Each customer's log-likelihood under BG/NBD (FHL 2005, equation 6), or under its
    common-dropout limit."""
    x, t_x, big_t = _arrays(frequency, recency, age)
    return _bgnbd(params, _counts(x), t_x, big_t, gradient=False)[0]


def bgnbd_log_likelihood_gradient_terms(
    params: BgNbd, frequency: ArrayLike, recency: ArrayLike, age: ArrayLike
) -> Array:
    """Each customer's derivatives of the log-likelihood, one row per field of the parameter
    class, in closed form (see ``_bgnbd``)."""
    x, t_x, big_t = _arrays(frequency, recency, age)
    gradient = _bgnbd(params, _counts(x), t_x, big_t, gradient=True)[1]
    assert gradient is not None
    return gradient


def bgnbd_log_likelihood(
    params: BgNbd,
    frequency: ArrayLike,
    recency: ArrayLike,
    age: ArrayLike,
    weights: ArrayLike | None = None,
) -> float:
    terms = bgnbd_log_likelihood_terms(params, frequency, recency, age)
    return float(np.sum(_weights(weights, terms) * terms))


# ---- Maximum likelihood ----------------------------------------------------------


@dataclass(frozen=True)
class _Model:
    """A likelihood over unconstrained coordinates z (log, or logit for a probability).

    ``params`` maps z to the parameter class; ``chain`` maps the parameter class to
    d(field)/dz for each field (the chain rule); ``evaluate`` returns the per-customer
    log-likelihood and its derivatives with respect to the fields."""

    params: Callable[[Array], Any]
    chain: Callable[[Any], Array]
    evaluate: Callable[[Any], tuple[Array, Array | None]]
    weights: Array

    @property
    def customers(self) -> float:
        return float(self.weights.sum())

    def mean_and_gradient(self, z: Array) -> tuple[float, Array]:
        """The mean negative log-likelihood per customer and its gradient in z."""
        params = self.params(z)
        with np.errstate(all="ignore"):
            terms, derivatives = self.evaluate(params)
            value = -float(self.weights @ terms) / self.customers
            gradient = -(derivatives @ self.weights) * self.chain(params) / self.customers
        if not np.isfinite(value) or not np.all(np.isfinite(gradient)):
            return 1e300, np.zeros_like(z)
        return value, gradient

    def standard_errors(self, z: Array) -> tuple[float, ...] | None:
        """Asymptotic standard errors of z: the observed information is the Jacobian of the
        analytic gradient, by central differences (step 1e-5 in z)."""
        step = 1e-5
        columns = []
        for i in range(z.size):
            shift = np.zeros_like(z)
            shift[i] = step
            upper = self.mean_and_gradient(z + shift)[1]
            lower = self.mean_and_gradient(z - shift)[1]
            columns.append((upper - lower) / (2 * step))
        information = np.array(columns) * self.customers
        information = (information + information.T) / 2
        try:
            np.linalg.cholesky(information)
        except np.linalg.LinAlgError:
            return None
        return tuple(float(v) for v in np.sqrt(np.diag(np.linalg.inv(information))))


@dataclass(frozen=True)
class _Optimum:
    z: Array
    value: float
    gradient_norm: float
    message: str

    @property
    def converged(self) -> bool:
        return self.gradient_norm <= GRADIENT_TOLERANCE and self.value < 1e300

    def far_out(self) -> list[int]:
        """Indices of the coordinates beyond +-FAR_OUT."""
        return [i for i, zi in enumerate(self.z) if abs(zi) >= FAR_OUT]

    def at_bound(self, bounds: list[tuple[float, float]]) -> list[int]:
        """Indices of the coordinates that ended on (or next to) their search bound."""
        return [
            i
            for i, (low, high) in enumerate(bounds)
            if self.z[i] >= high - _BOUND_MARGIN or self.z[i] <= low + _BOUND_MARGIN
        ]


def _minimise(model: _Model, start: Array, bounds: list[tuple[float, float]]) -> _Optimum:
    """L-BFGS-B with the analytic gradient over the mean negative log-likelihood. The
    optimiser's own stopping rules are set tight; convergence is then judged on the
    gradient by the caller (``_Optimum.converged``), and on the projected gradient for a
    coordinate that ended on its bound."""
    result = optimize.minimize(
        model.mean_and_gradient,
        start,
        jac=True,
        method="L-BFGS-B",
        bounds=bounds,
        options={"maxiter": _MAX_ITERATIONS, "ftol": 1e-15, "gtol": 1e-10, "maxcor": 20},
    )
    z = np.clip(result.x, [b[0] for b in bounds], [b[1] for b in bounds])
    value, gradient = model.mean_and_gradient(z)
    free = np.array(
        [low < zi < high for zi, (low, high) in zip(z, bounds, strict=True)], dtype=bool
    )
    norm = float(np.max(np.abs(gradient[free]))) if free.any() else 0.0
    return _Optimum(z, value, norm, str(result.message))


def _best(model: _Model, starts: list[Array], bounds: list[tuple[float, float]]) -> _Optimum:
    """The first start whose optimum converged or ran to a bound (the caller then looks at
    the limit); failing that, the best optimum found: the next start is the fallback when
    one fails."""
    found: list[_Optimum] = []
    for start in starts:
        optimum = _minimise(model, start, bounds)
        if optimum.converged or optimum.at_bound(bounds):
            return optimum
        found.append(optimum)
    return min(found, key=lambda o: o.value)


def _runs_off(model: _Model, optimum: _Optimum, bounds: list[tuple[float, float]]) -> list[int]:
    """The coordinates running to a boundary of the parameter space: those far out, when one
    of them ended on its bound or when moving them all further out by the same factor (up
    to e^2, within the bounds, so that ratios between them stay) does not lower the
    likelihood. Empty when the
    optimum is an interior maximum."""
    far = optimum.far_out()
    if not far:
        return []
    if set(far) & set(optimum.at_bound(bounds)):
        return far
    room = min(high - optimum.z[i] if optimum.z[i] > 0 else optimum.z[i] - low
               for i, (low, high) in enumerate(bounds) if i in far)  # fmt: skip
    pushed = optimum.z.copy()
    pushed[far] += min(2.0, room) * np.sign(pushed[far])
    further = model.mean_and_gradient(pushed)[0]
    return far if further <= optimum.value + 1e-12 else []


def _fit(
    model: _Model,
    optimum: _Optimum,
    boundary: str | None,
    unscale: Callable[[object], object],
    log_likelihood: Callable[[object], float],
) -> Fit:
    """The fit in the data's own units (``unscale``), with its log-likelihood on them."""
    params = unscale(model.params(optimum.z))
    return Fit(
        params=params,
        log_likelihood=log_likelihood(params),
        customers=round(model.customers),
        converged=optimum.converged,
        message=optimum.message,
        gradient_norm=optimum.gradient_norm,
        boundary=boundary,
        standard_errors=model.standard_errors(optimum.z) if optimum.converged else None,
    )


def _logistic(z: float) -> float:
    return float(special.expit(z))


def fit_bgnbd(
    frequency: ArrayLike,
    recency: ArrayLike,
    age: ArrayLike,
    weights: ArrayLike | None = None,
    min_customers: int = 20,
    min_repeat_customers: int = 5,
) -> Fit:
    """Fit BG/NBD by maximum likelihood.

    When the likelihood rises towards a, b -> infinity (the data show no spread of the
    dropout probability across customers), fits the limiting model with one common dropout
    probability instead and says so in ``Fit.boundary``. Raises InsufficientData when the
    data cannot identify the model and NoEstimate when the likelihood runs to another
    boundary."""
    x, t_x, big_t = _arrays(frequency, recency, age)
    w = _weights(weights, x)
    if not (x.size == t_x.size == big_t.size == w.size):
        raise InsufficientData("frequency, recency, age and weights differ in length")
    if not all(np.all(np.isfinite(v)) for v in (x, t_x, big_t, w)):
        raise InsufficientData("frequency, recency, age and weights must be finite numbers")
    customers = int(w.sum())
    repeaters = int(w[x > 0].sum())
    if customers < min_customers:
        raise InsufficientData(f"{customers} customers; BG/NBD needs at least {min_customers}")
    if repeaters < min_repeat_customers:
        raise InsufficientData(
            f"{repeaters} customers bought more than once; BG/NBD needs at least "
            f"{min_repeat_customers}"
        )
    if np.any(t_x > big_t + 1e-9) or np.any(x < 0) or np.any(t_x < 0) or np.any(w < 0):
        raise InsufficientData(
            "recency must lie in [0, age], frequency and weights must be at least 0"
        )
    if np.any(x != np.floor(x)):
        raise InsufficientData("frequency must be a whole number of repeat purchases")
    # Time in units of the mean age: alpha is then of the order of r, and the search
    # bounds mean the same at any time scale.
    scale = float(np.average(big_t, weights=w))
    if not scale > 0:
        raise InsufficientData("every customer's age is 0 weeks: no time to observe")
    t_x_scaled, big_t_scaled = t_x / scale, big_t / scale

    def full_params(z: Array) -> BgNbdParams:
        return BgNbdParams(*(float(v) for v in np.exp(z)))

    counts = _counts(x)

    def evaluate(p: BgNbd) -> tuple[Array, Array | None]:
        return _bgnbd(p, counts, t_x_scaled, big_t_scaled, gradient=True)

    full = _Model(
        params=full_params,
        chain=lambda p: np.array([p.r, p.alpha, p.a, p.b]),
        evaluate=evaluate,
        weights=w,
    )
    bounds = [(-LOG_BOUND, LOG_BOUND)] * 4
    starts = [np.zeros(4), np.log([0.5, 2.0, 0.5, 5.0]), np.log([2.0, 0.5, 2.0, 2.0])]

    def unscale(p: BgNbdParams | BgNbdCommonDropout) -> BgNbdParams | BgNbdCommonDropout:
        return replace(p, alpha=p.alpha * scale)

    def likelihood(p: BgNbd) -> float:
        return bgnbd_log_likelihood(p, x, t_x, big_t, w)

    optimum = _best(full, starts, bounds)
    ended = _runs_off(full, optimum, bounds)
    if not ended:
        return _fit(full, optimum, None, unscale, likelihood)
    edge = full.params(optimum.z)
    if set(ended) <= {2, 3} and all(optimum.z[i] > 0 for i in ended):
        # a, b -> infinity: the Beta distribution of dropout probabilities collapses onto
        # its mean a / (a + b). Fit that limit, starting where the full fit ended.
        limit = _Model(
            params=lambda z: BgNbdCommonDropout(
                float(np.exp(z[0])), float(np.exp(z[1])), _logistic(z[2])
            ),
            chain=lambda p: np.array([p.r, p.alpha, p.dropout * (1 - p.dropout)]),
            evaluate=evaluate,
            weights=w,
        )
        limit_start = np.array([optimum.z[0], optimum.z[1], np.log(edge.a / edge.b)])
        limit_bounds = [(-LOG_BOUND, LOG_BOUND)] * 3
        limit_optimum = _best(limit, [limit_start, np.zeros(3)], limit_bounds)
        if not _runs_off(limit, limit_optimum, limit_bounds):
            return _fit(limit, limit_optimum, BGNBD_COMMON_DROPOUT, unscale, likelihood)
    raise NoEstimate(_ran_to(("r", "alpha", "a", "b"), optimum.z, ended, "BG/NBD"))


BGNBD_COMMON_DROPOUT = (
    "a, b -> infinity with a/(a+b) fixed: every customer drops out with the same "
    "probability a/(a+b) after each repeat purchase"
)
GAMMA_GAMMA_COMMON_RATE = (
    "q, gamma -> infinity with q/gamma fixed: no spread of mean spend across customers, "
    "every order value is Gamma(p, q/gamma)"
)


def _ran_to(names: tuple[str, ...], z: Array, ended: list[int], model: str) -> str:
    where = ", ".join(f"{names[i]} -> {'infinity' if z[i] > 0 else '0'}" for i in ended)
    return (
        f"the {model} likelihood keeps rising towards {where}: "
        "the maximum-likelihood estimate does not exist"
    )


def p_alive(params: BgNbd, frequency: ArrayLike, recency: ArrayLike, age: ArrayLike) -> Array:
    """P(customer is still active at the observation end); 1 for customers who never repeated."""
    x, t_x, big_t = _arrays(frequency, recency, age)
    r, alpha = params.r, params.alpha
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if isinstance(params, BgNbdCommonDropout):
            log_ratio = np.log(params.dropout) - np.log1p(-params.dropout)
        else:
            log_ratio = np.log(params.a) - np.log(params.b + x - 1)
        log_ratio = log_ratio + (r + x) * np.log((alpha + big_t) / (alpha + t_x))
        alive = special.expit(-log_ratio)
    return np.where(x > 0, alive, 1.0)


def expected_purchases(
    params: BgNbd, weeks: float, frequency: ArrayLike, recency: ArrayLike, age: ArrayLike
) -> Array:
    """E[repeat purchases in the next ``weeks``] given the history (FHL 2005, equation 10).

    In the common-dropout limit (dropout probability pi for everyone) a customer alive at T
    with rate lambda makes (1 - exp(-lambda pi t)) / pi purchases in t weeks on average;
    over lambda's posterior Gamma(r + x, alpha + T) that is
    P(alive) (1 - ((alpha + T) / (alpha + T + pi t))^(r + x)) / pi, the limit of
    equation 10."""
    x, t_x, big_t = _arrays(frequency, recency, age)
    r, alpha = params.r, params.alpha
    if weeks <= 0:
        return np.zeros_like(x)
    if isinstance(params, BgNbdCommonDropout):
        pi = params.dropout
        alive_purchases = -np.expm1(-(r + x) * np.log1p(pi * weeks / (alpha + big_t))) / pi
        return p_alive(params, x, t_x, big_t) * alive_purchases
    a, b = params.a, params.b
    z = weeks / (alpha + big_t + weeks)
    hyper = special.hyp2f1(r + x, b + x, a + b + x - 1, z)
    numerator = (
        (a + b + x - 1)
        / (a - 1)
        * (1 - ((alpha + big_t) / (alpha + big_t + weeks)) ** (r + x) * hyper)
    )
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        odds_dead = (a / (b + x - 1)) * ((alpha + big_t) / (alpha + t_x)) ** (r + x)
    denominator = 1 + np.where(x > 0, odds_dead, 0.0)
    return numerator / denominator


def expected_cumulative_purchases(params: BgNbd, weeks: ArrayLike) -> Array:
    """E[repeat purchases in the first ``weeks`` after a first purchase], for a customer picked
    at random (FHL 2005, equation 9): the cumulative tracking curve of a cohort. In the
    common-dropout limit: (1 - (alpha / (alpha + pi t))^r) / pi."""
    t = np.asarray(weeks, dtype=np.float64)
    r, alpha = params.r, params.alpha
    if isinstance(params, BgNbdCommonDropout):
        pi = params.dropout
        return -np.expm1(-r * np.log1p(pi * t / alpha)) / pi
    a, b = params.a, params.b
    hyper = special.hyp2f1(r, b, a + b - 1, t / (alpha + t))
    return (a + b - 1) / (a - 1) * (1 - (alpha / (alpha + t)) ** r * hyper)


# ---- Gamma-Gamma ---------------------------------------------------------------


def _gamma_gamma(
    params: GammaGamma, x: NDArray[np.intp], m: Array, gradient: bool
) -> tuple[Array, Array | None]:
    """Each repeat customer's log-likelihood of the mean spend m over x repeat purchases and,
    if asked, its derivatives, one row per field of the parameter class. Everything that
    depends on x alone is tabulated once per evaluation (x is a whole number).

    Gamma-Gamma, written so that no large terms cancel as q, gamma grow:
      L = log G(px+q) - log G(px) - log G(q) + px log(x) + (px-1) log(m)
          - px log(xm+gamma) - q log(1 + xm/gamma)
      d/dp     = x (psi(px+q) - psi(px) + log(x) + log(m) - log(xm+gamma))
      d/dq     = psi(px+q) - psi(q) - log(1 + xm/gamma)
      d/dgamma = x (q m - p gamma) / (gamma (xm+gamma)).
    Common-rate limit (the mean of x Gamma(p, nu) order values is Gamma(px, x nu)):
      L = px log(x nu) + (px-1) log(m) - x nu m - log G(px)
      d/dp     = x (log(x nu) + log(m) - psi(px)),   d/dnu = px/nu - xm.
    """
    k = np.arange(int(x.max(initial=0)) + 1, dtype=np.float64)
    log_k = np.log(np.maximum(k, 1.0))
    log_m = np.log(m)
    p = params.p
    px = p * x
    if isinstance(params, GammaGammaCommonRate):
        nu = params.nu
        table = p * k * (log_k + np.log(nu)) - special.gammaln(np.maximum(p * k, 1e-300))
        terms = table[x] + (px - 1) * log_m - x * nu * m
        if not gradient:
            return terms, None
        d_table = k * (log_k + np.log(nu) - special.digamma(np.maximum(p * k, 1e-300)))
        return terms, np.stack([d_table[x] + x * log_m, px / nu - x * m])
    q, g = params.q, params.gamma
    pk = np.maximum(p * k, 1e-300)
    table = special.gammaln(pk + q) - special.gammaln(pk) - special.gammaln(q) + p * k * log_k
    spent = x * m
    log_spent_g = np.log(spent + g)
    relative = np.log1p(spent / g)
    terms = table[x] + (px - 1) * log_m - px * log_spent_g - q * relative
    if not gradient:
        return terms, None
    both = special.digamma(pk + q)
    d_p = (k * (both - special.digamma(pk) + log_k))[x] + x * (log_m - log_spent_g)
    d_q = (both - special.digamma(q))[x] - relative
    d_gamma = x * (q * m - p * g) / (g * (spent + g))
    return terms, np.stack([d_p, d_q, d_gamma])


def gamma_gamma_log_likelihood_terms(
    params: GammaGamma, frequency: ArrayLike, monetary: ArrayLike
) -> Array:
    """Each repeat customer's log-likelihood of the mean spend under Gamma-Gamma, or under
    its common-rate limit."""
    x, m = _arrays(frequency, monetary)
    return _gamma_gamma(params, _counts(x), m, gradient=False)[0]


def gamma_gamma_log_likelihood_gradient_terms(
    params: GammaGamma, frequency: ArrayLike, monetary: ArrayLike
) -> Array:
    """Each repeat customer's derivatives of the log-likelihood, one row per field of the
    parameter class, in closed form (see ``_gamma_gamma``)."""
    x, m = _arrays(frequency, monetary)
    gradient = _gamma_gamma(params, _counts(x), m, gradient=True)[1]
    assert gradient is not None
    return gradient


def gamma_gamma_log_likelihood(
    params: GammaGamma,
    frequency: ArrayLike,
    monetary: ArrayLike,
    weights: ArrayLike | None = None,
) -> float:
    terms = gamma_gamma_log_likelihood_terms(params, frequency, monetary)
    return float(np.sum(_weights(weights, terms) * terms))


def fit_gamma_gamma(
    frequency: ArrayLike,
    monetary: ArrayLike,
    weights: ArrayLike | None = None,
    min_customers: int = 5,
) -> Fit:
    """Fit Gamma-Gamma on customers with repeat purchases and a positive mean spend.

    When the likelihood rises towards q, gamma -> infinity (the data show no spread of mean
    spend across customers beyond what the order values' own spread explains), fits the
    limiting model with one common rate instead and says so in ``Fit.boundary``. Raises
    InsufficientData when the data cannot identify the model and NoEstimate when the
    likelihood runs to another boundary."""
    x, m = _arrays(frequency, monetary)
    w = _weights(weights, x)
    if not (x.size == m.size == w.size):
        raise InsufficientData("frequency, monetary and weights differ in length")
    usable = (x > 0) & (m > 0) & np.isfinite(m) & np.isfinite(x) & np.isfinite(w) & (w > 0)
    x, m, w = x[usable], m[usable], w[usable]
    if np.any(x != np.floor(x)):
        raise InsufficientData("frequency must be a whole number of repeat purchases")
    customers = int(w.sum())
    if customers < min_customers:
        raise InsufficientData(
            f"{customers} customers bought again with a positive spend; Gamma-Gamma needs at "
            f"least {min_customers}"
        )
    if np.unique(m).size < 2:
        raise InsufficientData("every repeat customer spends the same: the spend has no spread")
    # Spend in units of its mean: gamma is then of the order of q / p, and the search bounds
    # mean the same in any currency.
    scale = float(np.average(m, weights=w))
    m_scaled = m / scale

    counts = _counts(x)

    def evaluate(p: GammaGamma) -> tuple[Array, Array | None]:
        return _gamma_gamma(p, counts, m_scaled, gradient=True)

    full = _Model(
        params=lambda z: GammaGammaParams(*(float(v) for v in np.exp(z))),
        chain=lambda p: np.array([p.p, p.q, p.gamma]),
        evaluate=evaluate,
        weights=w,
    )
    bounds = [(-LOG_BOUND, LOG_BOUND)] * 3
    starts = [np.zeros(3), np.log([5.0, 3.0, 0.5]), np.log([0.5, 5.0, 10.0])]

    def unscale(p: GammaGammaParams | GammaGammaCommonRate) -> GammaGamma:
        if isinstance(p, GammaGammaCommonRate):
            return replace(p, nu=p.nu / scale)
        return replace(p, gamma=p.gamma * scale)

    def likelihood(p: GammaGamma) -> float:
        return gamma_gamma_log_likelihood(p, x, m, w)

    optimum = _best(full, starts, bounds)
    ended = _runs_off(full, optimum, bounds)
    if not ended:
        return _fit(full, optimum, None, unscale, likelihood)
    edge = full.params(optimum.z)
    if set(ended) <= {1, 2} and optimum.z[1] > 0 and all(optimum.z[i] > 0 for i in ended):
        # q, gamma -> infinity: the Gamma distribution of the rates nu collapses onto its
        # mean q / gamma. Fit that limit, starting where the full fit ended.
        limit = _Model(
            params=lambda z: GammaGammaCommonRate(*(float(v) for v in np.exp(z))),
            chain=lambda p: np.array([p.p, p.nu]),
            evaluate=evaluate,
            weights=w,
        )
        limit_start = np.array([optimum.z[0], np.log(edge.q / edge.gamma)])
        limit_bounds = [(-LOG_BOUND, LOG_BOUND)] * 2
        limit_optimum = _best(limit, [limit_start, np.zeros(2)], limit_bounds)
        if not _runs_off(limit, limit_optimum, limit_bounds):
            return _fit(limit, limit_optimum, GAMMA_GAMMA_COMMON_RATE, unscale, likelihood)
    raise NoEstimate(_ran_to(("p", "q", "gamma"), optimum.z, ended, "Gamma-Gamma"))


def expected_order_value(params: GammaGamma, frequency: ArrayLike, monetary: ArrayLike) -> Array:
    """E[value of a future order]: the posterior mean spend (the population mean when x = 0);
    in the common-rate limit p / nu for every customer."""
    x, m = _arrays(frequency, monetary)
    if isinstance(params, GammaGammaCommonRate):
        return np.full_like(x, params.p / params.nu)
    p, q, g = params.p, params.q, params.gamma
    m = np.where(np.isfinite(m), m, 0.0)
    return (g + m * x) * p / (p * x + q - 1)


# ---- CLV ------------------------------------------------------------------------


def discounted_value(
    cumulative_purchases: Callable[[float], Array],
    order_value: ArrayLike,
    months: int,
    monthly_discount_rate: float,
) -> Array:
    """Sum over months 1..``months`` of that month's expected purchases times the order value,
    discounted at ``monthly_discount_rate`` per month (paid at each month's end)."""
    value = np.asarray(order_value, dtype=np.float64)
    total = np.zeros_like(value)
    previous = cumulative_purchases(0.0)
    for month in range(1, months + 1):
        current = cumulative_purchases(month * WEEKS_PER_MONTH)
        total = total + value * (current - previous) / (1 + monthly_discount_rate) ** month
        previous = current
    return total


def predicted_clv(
    bgnbd: BgNbd,
    order_value: ArrayLike,
    frequency: ArrayLike,
    recency: ArrayLike,
    age: ArrayLike,
    months: int = 12,
    monthly_discount_rate: float = 0.01,
) -> Array:
    """Discounted expected revenue over the next ``months`` months (BG/NBD x order value)."""
    return discounted_value(
        lambda weeks: expected_purchases(bgnbd, weeks, frequency, recency, age),
        order_value,
        months,
        monthly_discount_rate,
    )
