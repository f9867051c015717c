# Solutions to the exercises of notebooks/01-request-response.ipynb: each section replaces the
# stub cell that starts with the same `# exercise:` line.

# exercise: chunks
def chunked_body(parts: list[bytes]) -> bytes:
    body = b"".join(f"{len(part):x}\r\n".encode() + part + b"\r\n" for part in parts)
    return body + b"0\r\n\r\n"


# exercise: timeout
my_timeout = aiohttp.ClientTimeout(total=0.5)  # the usual take up to 120 ms; half the stuck: 1 s
