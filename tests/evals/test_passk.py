"""pass^k: the unbiased estimator over n >= k seeds, and the spread figures the reports show."""

from __future__ import annotations

import pytest

from shopwarden.evals.passk import pass_hat_k, pass_variance, spread


def test_pass_k_is_the_chance_that_k_drawn_seeds_all_pass():
    assert pass_hat_k(3, 5, 2) == pytest.approx(3 / 10)  # C(3,2) / C(5,2)
    assert pass_hat_k(4, 5, 5) == 0.0  # one failing seed in five: five in a row cannot all pass
    assert pass_hat_k(5, 5, 5) == 1.0
    assert pass_hat_k(2, 4, 1) == 0.5  # pass^1 is the plain pass rate


def test_pass_k_never_exceeds_pass_1_and_falls_with_k():
    values = [pass_hat_k(7, 10, k) for k in range(1, 11)]
    assert values == sorted(values, reverse=True) and values[0] == 0.7 and values[-1] == 0.0


def test_k_above_the_number_of_seeds_is_refused_with_the_reason():
    with pytest.raises(ValueError, match=r"k must be between 1 and the number of seeds \(6 > 5\)"):
        pass_hat_k(5, 5, 6)
    with pytest.raises(ValueError, match="passed must be between 0 and n"):
        pass_hat_k(6, 5, 1)


def test_variance_and_spread():
    assert pass_variance(5, 5) == 0.0 and pass_variance(0, 5) == 0.0
    assert pass_variance(2, 4) == 0.25
    assert spread([1.0, 3.0]) == (2.0, 1.0) and spread([4.0]) == (4.0, 0.0) and spread([]) == (0.0, 0.0)
