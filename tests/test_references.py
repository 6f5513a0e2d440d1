"""parse_reference, table-driven: every seed reference and other common styles, every field."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from litkg.references import normalise_doi, parse_reference, split_pages

# raw, [(family, initials)], et_al, title, journal, volume, issue, first, last, year, doi, note
CASES = [
    # seed 000 ("1. 1." layout)
    ("Boillée, S. et al. Science 312, 1389–1392 (2006).", [("Boillée", "S.")], True, None, "Science", "312", None, "1389", "1392", 2006, None, None),
    ("Clement, A. M. et al. Science 302, 113–117 (2003).", [("Clement", "A. M.")], True, None, "Science", "302", None, "113", "117", 2003, None, None),
    ("Chiot, A. et al. Nat. Neurosci. (2020).", [("Chiot", "A.")], True, None, "Nat. Neurosci.", None, None, None, None, 2020, None, None),
    ("Corti, S. et al. Brain 127, 2518–2532 (2004).", [("Corti", "S.")], True, None, "Brain", "127", None, "2518", "2532", 2004, None, None),
    ("Solomon, J. N. et al. Glia 53, 744–753 (2006).", [("Solomon", "J. N.")], True, None, "Glia", "53", None, "744", "753", 2006, None, None),
    ("Butovsky, O. et al. J. Clin. Invest. 122, 3063–3087 (2012).", [("Butovsky", "O.")], True, None, "J. Clin. Invest.", "122", None, "3063", "3087", 2012, None, None),
    ("Bennett, M. L. et al. Proc. Natl. Acad. Sci. USA 113, E1738–E1746 (2016).", [("Bennett", "M. L.")], True, None, "Proc. Natl. Acad. Sci. USA", "113", None, "E1738", "E1746", 2016, None, None),
    ("Marden, J. J. et al. J. Clin. Invest. 117, 2913–2919 (2007).", [("Marden", "J. J.")], True, None, "J. Clin. Invest.", "117", None, "2913", "2919", 2007, None, None),
    ("Wu, D. C., Ré, D. B., Nagai, M., Ischiropoulos, H. & Przedborski, S. Proc. Natl. Acad. Sci. USA 103, 12132–12137 (2006).",
     [("Wu", "D. C."), ("Ré", "D. B."), ("Nagai", "M."), ("Ischiropoulos", "H."), ("Przedborski", "S.")], False, None, "Proc. Natl. Acad. Sci. USA", "103", None, "12132", "12137", 2006, None, None),
    ("Jara, J. H. et al. J. Neuroinflammation 16, 196 (2019).", [("Jara", "J. H.")], True, None, "J. Neuroinflammation", "16", None, "196", None, 2019, None, None),
    ("Engelhardt, J. I. & Appel, S. H. Arch. Neurol. 47, 1210–1216 (1990).", [("Engelhardt", "J. I."), ("Appel", "S. H.")], False, None, "Arch. Neurol.", "47", None, "1210", "1216", 1990, None, None),
    # seed 004 ("1." layout)
    ("Rosen, D.R. et al. Nature 362, 59–62 (1993).", [("Rosen", "D. R.")], True, None, "Nature", "362", None, "59", "62", 1993, None, None),
    ("Nagai, M. et al. Nat. Neurosci. 10, 615–622 (2007).", [("Nagai", "M.")], True, None, "Nat. Neurosci.", "10", None, "615", "622", 2007, None, None),
    ("Di Giorgio, F.P., Carrasco, M.A., Siao, M.C., Maniatis, T. & Eggan, K. Nat. Neurosci. 10, 608–614 (2007).",
     [("Di Giorgio", "F. P."), ("Carrasco", "M. A."), ("Siao", "M. C."), ("Maniatis", "T."), ("Eggan", "K.")], False, None, "Nat. Neurosci.", "10", None, "608", "614", 2007, None, None),
    ("Clement, A.M. et al. Science 302, 113–117 (2003).", [("Clement", "A. M.")], True, None, "Science", "302", None, "113", "117", 2003, None, None),
    ("Boillee, S. et al. Science 312, 1389–1392 (2006).", [("Boillee", "S.")], True, None, "Science", "312", None, "1389", "1392", 2006, None, None),
    ("Miller, T.M. et al. Proc. Natl. Acad. Sci. USA 103, 19546–19551 (2006).", [("Miller", "T. M.")], True, None, "Proc. Natl. Acad. Sci. USA", "103", None, "19546", "19551", 2006, None, None),
    ("Beers, D.R. et al. Proc. Natl. Acad. Sci. USA 103, 16021–16026 (2006).", [("Beers", "D. R.")], True, None, "Proc. Natl. Acad. Sci. USA", "103", None, "16021", "16026", 2006, None, None),
    ("Gould, T.W. et al. J. Neurosci. 26, 8774–8786 (2006).", [("Gould", "T. W.")], True, None, "J. Neurosci.", "26", None, "8774", "8786", 2006, None, None),
    ("Kriz, J., Gowing, G. & Julien, J.P. Ann. Neurol. 53, 429–436 (2003).", [("Kriz", "J."), ("Gowing", "G."), ("Julien", "J. P.")], False, None, "Ann. Neurol.", "53", None, "429", "436", 2003, None, None),
    ("Gong, Y.H. et al. J. Neurosci. 20, 660–665 (2000).", [("Gong", "Y. H.")], True, None, "J. Neurosci.", "20", None, "660", "665", 2000, None, None),
    ("Nguyen, M.D., Julien, J.P. & Rivest, S. Ann. Neurol. 50, 630–639 (2001).", [("Nguyen", "M. D."), ("Julien", "J. P."), ("Rivest", "S.")], False, None, "Ann. Neurol.", "50", None, "630", "639", 2001, None, None),
    ("Gowing, G. et al. J. Neurosci. 26, 11397–11402 (2006).", [("Gowing", "G.")], True, None, "J. Neurosci.", "26", None, "11397", "11402", 2006, None, None),
    ("Urushitani, M. et al. Nat. Neurosci. 9, 108–118 (2006).", [("Urushitani", "M.")], True, None, "Nat. Neurosci.", "9", None, "108", "118", 2006, None, None),
    ("Urushitani, M. et al. Proc. Natl. Acad. Sci. USA 104, 2495–2500 (2007).", [("Urushitani", "M.")], True, None, "Proc. Natl. Acad. Sci. USA", "104", None, "2495", "2500", 2007, None, None),
    ("Abou Ezzi, et al. J. Neurochem. Accepted article online: 26-Feb-2007 (doi: 10.1111/j.1471–4159.2007.04531.x).",
     [("Abou Ezzi", "")], True, None, "J. Neurochem.", None, None, None, None, None, "10.1111/j.1471-4159.2007.04531.x", "Accepted article online: 26-Feb-2007"),
    # other styles users feed
    ("Smith J, Doe A. Title of the work. Nature. 2020;581(7806):1-5. doi:10.1038/x",
     [("Smith", "J."), ("Doe", "A.")], False, "Title of the work", "Nature", "581", "7806", "1", "5", 2020, "10.1038/x", None),
    ("Smith, J. & Doe, A. (2020) Microglia shape the developing brain. Nature 581, 1–5.",
     [("Smith", "J."), ("Doe", "A.")], False, "Microglia shape the developing brain", "Nature", "581", None, "1", "5", 2020, None, None),
    ("Nagai, M. et al. Astrocytes expressing ALS-linked mutated SOD1 release factors selectively toxic to motor neurons. Nat. Neurosci. 10, 615–622 (2007).",
     [("Nagai", "M.")], True, "Astrocytes expressing ALS-linked mutated SOD1 release factors selectively toxic to motor neurons", "Nat. Neurosci.", "10", None, "615", "622", 2007, None, None),
    ("van der Berg, J.-P., O'Neil, A. & Müller, Ö. Glial scars. Science 1, 2 (2000). https://doi.org/10.1126/SCIENCE.1",
     [("van der Berg", "J.-P."), ("O'Neil", "A."), ("Müller", "Ö.")], False, "Glial scars", "Science", "1", None, "2", None, 2000, "10.1126/science.1", None),
    ("Eggan, K. J. Clin. Invest. 122, 3063–87 (2012).", [("Eggan", "K.")], False, None, "J. Clin. Invest.", "122", None, "3063", "3087", 2012, None, None),
    ("Lee, K. et al. Cell 101, 1–2 (2000). PMID: 10830163", [("Lee", "K.")], True, None, "Cell", "101", None, "1", "2", 2000, None, None),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0][:40] for c in CASES])
def test_parse_reference_every_field(case):
    raw, authors, et_al, title, journal, volume, issue, first, last, year, doi, note = case
    ref = parse_reference(raw, number=7)
    assert [(a.family, a.initials) for a in ref.authors] == authors
    assert ref.et_al is et_al
    assert ref.title == title
    assert ref.journal == journal
    assert (ref.volume, ref.issue, ref.first_page, ref.last_page, ref.year) == (volume, issue, first, last, year)
    assert ref.doi == doi
    assert ref.note == note
    assert ref.raw == raw
    assert ref.number == 7


def test_pmid_is_read():
    assert parse_reference("Lee, K. et al. Cell 101, 1–2 (2000). PMID: 10830163").pmid == "10830163"


def test_unplaceable_text_is_kept_in_note_and_raw():
    ref = parse_reference("Personal communication from the lab of Dr. X")
    assert ref.raw == "Personal communication from the lab of Dr. X"
    assert ref.note is not None and "Personal communication" in ref.note


def test_doi_normalisation():
    assert normalise_doi("https://doi.org/10.1111/J.1471–4159.2007.04531.X") == "10.1111/j.1471-4159.2007.04531.x"
    assert normalise_doi("doi: 10.1038/NN1876.") == "10.1038/nn1876"


def test_split_pages_expands_abbreviated_last_page():
    assert split_pages("1389–92") == ("1389", "1392")
    assert split_pages("E1738–E1746") == ("E1738", "E1746")
    assert split_pages("196") == ("196", None)


@given(st.text(max_size=300))
def test_parse_reference_never_raises_and_keeps_raw(text):
    ref = parse_reference(text)
    assert ref.raw == " ".join(text.split())
