"""One router per resource: sign-in, queue, review, records, images, the JSON API."""
