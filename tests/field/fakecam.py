"""A fake camera for Chromium: a still image as a YUV4MPEG2 video.

Chromium's `--use-file-for-fake-video-capture=<file.y4m>` plays the file as the camera (in a
loop), with `--use-fake-device-for-media-stream` and `--use-fake-ui-for-media-stream`. The
format is a text header, then per frame `FRAME\\n` and the planar Y, Cb and Cr bytes; 4:2:0
chroma, each chroma plane a quarter of the picture.
"""

from pathlib import Path

from PIL import Image


def y4m_from_image(image, path, *, frames=30, size=(640, 480)) -> Path:
    """Write `frames` frames of `image` centred on white (shrunk to fit) at 15 frames a
    second to `path`; gives back the path."""
    width, height = size
    if width % 2 or height % 2:
        raise ValueError("4:2:0 needs an even width and height")
    picture = image.convert("RGB")
    if picture.width > width or picture.height > height:
        picture.thumbnail((width, height), Image.Resampling.LANCZOS)
    canvas = Image.new("RGB", (width, height), "white")
    canvas.paste(picture, ((width - picture.width) // 2, (height - picture.height) // 2))
    y, cb, cr = canvas.convert("YCbCr").split()  # full-range BT.601, as JPEG's 420 expects
    half = (width // 2, height // 2)
    frame = (
        b"FRAME\n"
        + y.tobytes()
        + cb.resize(half, Image.Resampling.BOX).tobytes()
        + cr.resize(half, Image.Resampling.BOX).tobytes()
    )
    path = Path(path)
    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F15:1 Ip A1:1 C420jpeg\n".encode("ascii"))
        for _ in range(frames):
            out.write(frame)
    return path
