#!/usr/bin/env python3
"""Largest difference, in levels, between the samples of two PNG files (8 or 16 bits, gray/RGB with or without alpha,
not interlaced): the Wine smoke test's check that Windows wrote what Linux wrote. Standard library only.
Usage: pngdiff.py A.png B.png  ->  prints the difference; exit 1 when the shapes differ."""
import struct, sys, zlib

def decode(path):
    data = open(path, 'rb').read()
    assert data[:8] == b'\x89PNG\r\n\x1a\n', f'{path}: not a PNG'
    pos, idat, header = 8, b'', None
    while pos < len(data):
        length, kind = struct.unpack('>I4s', data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b'IHDR': header = struct.unpack('>IIBBBBB', body)
        elif kind == b'IDAT': idat += body
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = header
    assert depth in (8, 16) and colour in (0, 2, 4, 6) and interlace == 0, f'{path}: unsupported PNG variant'
    bands = {0: 1, 2: 3, 4: 2, 6: 4}[colour]
    step = bands * depth // 8
    stride = width * step
    raw, rows, previous = zlib.decompress(idat), [], bytearray(stride)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - step] if i >= step else 0
            b = previous[i]
            c = previous[i - step] if i >= step else 0
            if kind == 1: line[i] = (line[i] + a) & 255
            elif kind == 2: line[i] = (line[i] + b) & 255
            elif kind == 3: line[i] = (line[i] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(line)
        previous = line
    pixels = b''.join(rows)
    samples = pixels if depth == 8 else struct.unpack(f'>{len(pixels) // 2}H', pixels)
    return (width, height, bands, depth), samples

(shape_a, a), (shape_b, b) = decode(sys.argv[1]), decode(sys.argv[2])
if shape_a != shape_b:
    print(f'shapes differ: {shape_a} vs {shape_b}')
    sys.exit(1)
print(max(abs(x - y) for x, y in zip(a, b)))
