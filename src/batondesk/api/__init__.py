"""HTTP routes: they parse input, check permissions, call one action and shape the output."""
