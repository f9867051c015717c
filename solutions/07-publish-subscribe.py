# Solutions to the exercises of notebooks/07-publish-subscribe.ipynb, one section per exercise.

# exercise: search
search_index: set[str] = set()


async def index_video(message: dict) -> None:
    search_index.add(message["data"]["video"])


def search_service(url: str) -> Subscriber:
    return Subscriber(url, "upload.finished", "search", work=index_video)


# exercise: predict
def predict_fanout_bytes(subscribers: int, size_kb: int) -> float:
    envelope = 135  # id, topic, timestamps, JSON punctuation and the WebSocket frame's header
    return subscribers * (size_kb * 1024 + envelope)
