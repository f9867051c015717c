from course_lib.timeline import Event, draw


def test_request_and_reply_labels_do_not_overlap():
    # a fast exchange: request and reply arrows at almost the same height
    events = [
        Event("message", "client", "GET /jobs/1", 0.0, 0.0005, "server"),
        Event("message", "server", "202 Accepted", 0.0006, 0.001, "client"),
    ]
    fig = draw(events, ["client", "server"])
    (labels,) = [t for t in fig.data if t.mode == "text"]
    assert list(labels.text) == ["GET /jobs/1", "202 Accepted"]
    assert list(labels.textposition) == ["top center", "bottom center"]
