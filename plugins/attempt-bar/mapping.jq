# The current-attempt bar alone, for video overlays.
{ fop: .fop,
  status: (if .status.hasData then "ready" else "waiting" end),
  waitingMessage: waiting_message,
  attemptBar: attempt_bar,
  position: $options.position,
  size: $options.size,
  stopText: (if ($lang | startswith("no")) then "STOPP" else "STOP" end) }
