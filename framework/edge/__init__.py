"""The HTTP edge: what every request meets before a channel sees it, and what every answer
carries — limits on requests, security headers, the origins a chat page may come from, the
metrics endpoint and the REST channel's identity."""

from framework.edge.headers import NONCE, security_headers
from framework.edge.metrics import METRICS, add_metrics
from framework.edge.origins import check_origin

__all__ = ["METRICS", "NONCE", "add_metrics", "check_origin", "security_headers"]
