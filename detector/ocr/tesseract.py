"""Tesseract, in process (tesserocr) or as a program (``tesseract``), reading Debian's Japanese model.

Both give the words of a picture with their boxes and the engine's line of each word. The in-process engine
loads the model once a process and is handed the picture in memory; the program starts, loads the model again
and decodes a PNG from its standard input for every picture, which costs it half as much CPU again on a page
and several times as much on a small picture (docs/performance.md). Neither writes a file: the picture goes in
through memory or a pipe, the words come back the same way. One thread each: the scan already runs one worker a
core (``--jobs``), and Tesseract's OpenMP threads on top of that only contend.

No model is ever downloaded: the models are Debian's (``tesseract-ocr-jpn``), found in the usual tessdata
folders or in ``$TESSDATA_PREFIX``.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import time
from typing import TYPE_CHECKING, Any

from . import DIGITS, ENGINE_MISSING, Box, OcrEngine, OcrFailed, OcrTimeout, Word
from .prepare import evened, layout_copies, line_sample, number_lines, reads_as_text, sampled, scanned_page

if TYPE_CHECKING:
    from PIL.Image import Image

LANGUAGE = "jpn"  # Debian's jpn model reads kanji, kana, Latin letters and digits
# Page segmentation 11, "sparse text": every piece of text on the page is found, in form cells and table rows
# as well as in paragraphs; detector.ocr.lines puts the pieces back into rows. A single uniform block (6) lost
# the rows of a ruled table on the fixtures' forms, and the automatic mode (3) read the same as 11, more slowly
# (docs/performance.md).
PAGE_SEGMENTATION = 11
SINGLE_LINE = 7  # the digits-only reading of one number's region
_TESSDATA_FOLDERS = ("/usr/share/tesseract-ocr/5/tessdata", "/usr/share/tesseract-ocr/4.00/tessdata",
                     "/usr/share/tessdata", "/usr/local/share/tessdata")
_ONE_THREAD = {"OMP_THREAD_LIMIT": "1"}


def tessdata_folder() -> str | None:
    """The folder holding the Japanese model: ``$TESSDATA_PREFIX`` first, then Debian's and the usual ones."""
    prefix = os.environ.get("TESSDATA_PREFIX")
    for folder in ((prefix,) if prefix else ()) + _TESSDATA_FOLDERS:
        if os.path.isfile(os.path.join(folder, f"{LANGUAGE}.traineddata")):
            return folder
    return None


def installed() -> bool:
    """The Japanese model and either the binding or the program are there (nothing loaded)."""
    import importlib.util

    return tessdata_folder() is not None and (importlib.util.find_spec("tesserocr") is not None
                                              or shutil.which("tesseract") is not None)


def find(preferred: str = "auto") -> OcrEngine | str:
    """The engine ``preferred`` (``auto``, ``tesserocr`` or ``tesseract``), or the reason none can run."""
    folder = tessdata_folder()
    if folder is None:
        return f"{ENGINE_MISSING} (no Tesseract model {LANGUAGE}.traineddata: apt-get install tesseract-ocr-jpn)"
    if preferred in ("auto", "tesserocr"):
        try:
            return InProcessTesseract(folder)
        except ImportError:
            if preferred == "tesserocr":
                return f"{ENGINE_MISSING} (the tesserocr binding: pip install tesserocr)"
        except RuntimeError as exc:
            return f"{ENGINE_MISSING} (Tesseract could not load its model: {exc})"
    program = shutil.which("tesseract")
    if program is None:
        return f"{ENGINE_MISSING} (apt-get install tesseract-ocr tesseract-ocr-jpn)"
    return TesseractCommand(program, folder)


class InProcessTesseract:
    """Tesseract through the tesserocr binding: one model loaded a process, pictures handed over in memory. A
    picture in which the layout analysis finds no line that could hold a number, or whose likeliest lines do not
    read as text, is not read further (the program, its plain twin, reads every picture whole; both find the same
    numbers)."""

    name = "tesserocr"

    def __init__(self, folder: str) -> None:
        for variable, value in _ONE_THREAD.items():
            # Read by OpenMP when the library loads: set before the first import, kept if the user chose.
            os.environ.setdefault(variable, value)
        import tesserocr

        self._tesserocr = tesserocr
        self._api = tesserocr.PyTessBaseAPI(path=folder.rstrip("/") + "/", lang=LANGUAGE, psm=PAGE_SEGMENTATION,
                                            oem=tesserocr.OEM.LSTM_ONLY)

    def read(self, image: Image, timeout: float) -> list[Word]:
        api = self._api
        started = time.monotonic()
        try:
            if not self._may_hold_a_number(api, image, timeout):
                return []
            api.SetImage(evened(image))
            if not api.Recognize(timeout=max(1, int(timeout * 1000))):
                if time.monotonic() - started >= timeout * 0.9:
                    raise OcrTimeout()
                raise OcrFailed("Tesseract could not read the picture")
            iterator = api.GetIterator()
            return [] if iterator is None else self._words(iterator)
        except RuntimeError as exc:  # what the binding raises for Tesseract's errors
            raise OcrFailed(f"Tesseract failed ({str(exc)[:80]})") from None
        finally:
            api.Clear()

    def read_digits(self, image: Image, timeout: float) -> str:
        """The same model and instance, switched for one call to a single line and the digits whitelist, then
        back (a second instance would load the model again)."""
        api = self._api
        started = time.monotonic()
        try:
            api.SetPageSegMode(SINGLE_LINE)
            api.SetVariable("tessedit_char_whitelist", DIGITS)
            api.SetImage(image)
            if not api.Recognize(timeout=max(1, int(timeout * 1000))):
                if time.monotonic() - started >= timeout * 0.9:
                    raise OcrTimeout()
                raise OcrFailed("Tesseract could not read the picture")
            return str(api.GetUTF8Text() or "").strip()
        except RuntimeError as exc:
            raise OcrFailed(f"Tesseract failed ({str(exc)[:80]})") from None
        finally:
            api.Clear()
            api.SetVariable("tessedit_char_whitelist", "")
            api.SetPageSegMode(PAGE_SEGMENTATION)

    def _may_hold_a_number(self, api: Any, image: Image, timeout: float) -> bool:
        """Whether the picture may hold a number (:mod:`detector.ocr.prepare`: the lines the layout analysis finds
        that could hold one, on a reduced copy of a large picture first, then a few of them read as a sample). A
        photo without text costs this and no more; a scanned page is not asked (:func:`~.prepare.scanned_page`)."""
        if scanned_page(image):
            return True
        for copy, scale in layout_copies(image):
            api.SetImage(copy)
            iterator = api.AnalyseLayout()
            if iterator is None:
                continue
            textline = self._tesserocr.RIL.TEXTLINE
            boxes = [Box(*box) for box in (line.BoundingBox(textline)
                                           for line in self._tesserocr.iterate_level(iterator, textline)) if box]
            samples = sampled(number_lines(boxes, copy.height, scale))
            if samples:  # the first copy with lines decides: the next is for type the reduced copy lost
                return self._reads_as_text(api, image, samples, timeout)
        return False

    def _reads_as_text(self, api: Any, image: Image, samples: list[Box], timeout: float) -> bool:
        """Whether one of the sample lines reads as text (:func:`detector.ocr.prepare.reads_as_text`). Without
        Tesseract's inverted second try of a line read with low confidence: a shape is read once (half the cost),
        and the sample is already dark on light (:func:`detector.ocr.prepare.line_sample`)."""
        api.SetPageSegMode(SINGLE_LINE)
        api.SetVariable("tessedit_do_invert", "0")
        try:
            for box in samples:
                api.SetImage(line_sample(image, box))
                if api.Recognize(timeout=max(1, int(timeout * 1000))) and \
                        reads_as_text(api.GetUTF8Text() or "", float(api.MeanTextConf())):
                    return True
            return False
        finally:
            api.SetVariable("tessedit_do_invert", "1")
            api.SetPageSegMode(PAGE_SEGMENTATION)

    def _words(self, iterator: Any) -> list[Word]:
        level, textline = self._tesserocr.RIL.WORD, self._tesserocr.RIL.TEXTLINE
        words: list[Word] = []
        line = -1
        for word in self._tesserocr.iterate_level(iterator, level):
            if word.IsAtBeginningOf(textline):
                line += 1
            try:
                text = word.GetUTF8Text(level)
            except RuntimeError:  # "No text returned": an empty element of the layout
                continue
            if text and text.strip():
                words.append(Word(text.strip(), Box(*word.BoundingBox(level)), float(word.Confidence(level)),
                                  max(line, 0)))
        return words


class TesseractCommand:
    """The ``tesseract`` program, one process a picture: the plain twin of :class:`InProcessTesseract`, and the
    engine where the binding is not installed. The picture goes in as a PNG on standard input and the words
    come out as TSV on standard output: no file is written."""

    name = "tesseract"

    def __init__(self, program: str, folder: str) -> None:
        common = [program, "stdin", "stdout", "--tessdata-dir", folder, "-l", LANGUAGE, "--oem", "1"]
        self._command = [*common, "--psm", str(PAGE_SEGMENTATION), "tsv"]
        self._digits_command = [*common, "--psm", str(SINGLE_LINE), "-c", f"tessedit_char_whitelist={DIGITS}"]
        self._environment = {**os.environ, **_ONE_THREAD}

    def read(self, image: Image, timeout: float) -> list[Word]:
        return words_of_tsv(self._run(self._command, evened(image), timeout))

    def read_digits(self, image: Image, timeout: float) -> str:
        return self._run(self._digits_command, image, timeout).strip()

    def _run(self, command: list[str], image: Image, timeout: float) -> str:
        picture = io.BytesIO()
        image.save(picture, format="PNG", compress_level=1)
        try:
            done = subprocess.run(command, input=picture.getvalue(), capture_output=True, timeout=timeout,
                                  env=self._environment, check=False)
        except subprocess.TimeoutExpired:
            raise OcrTimeout() from None
        except OSError as exc:
            raise OcrFailed(f"the tesseract program could not run ({exc.strerror})") from None
        if done.returncode != 0:
            raise OcrFailed(f"the tesseract program failed (exit status {done.returncode})")
        return done.stdout.decode("utf-8", "replace")


def words_of_tsv(tsv: str) -> list[Word]:
    """The words of Tesseract's TSV output (level 5 rows), each with its line as (block, paragraph, line)
    numbered in the order met, as the in-process iterator numbers them."""
    words: list[Word] = []
    lines: dict[tuple[str, str, str], int] = {}
    for row in tsv.splitlines()[1:]:
        fields = row.split("\t")
        if len(fields) < 12 or fields[0] != "5" or not fields[11].strip():
            continue
        left, top, width, height = (int(value) for value in fields[6:10])
        line = lines.setdefault((fields[2], fields[3], fields[4]), len(lines))
        words.append(Word(fields[11].strip(), Box(left, top, left + width, top + height), float(fields[10]), line))
    return words
