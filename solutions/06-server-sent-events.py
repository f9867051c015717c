# Solutions to the exercises of notebooks/06-server-sent-events.ipynb, one section per exercise.

# exercise: line-ends
class LineEndParser(TinyParser):
    def feed(self, chunk: bytes) -> list[tuple[str, str, str]]:
        text = chunk.decode(errors="replace").replace("\r\n", "\n").replace("\r", "\n")
        return super().feed(text.encode())


# exercise: heartbeat
heartbeat = 0.1  # seconds: six heartbeats inside the proxy's 600 ms
