"""The art studio's image work (issue 27): pure numpy / OpenCV / torch on BGRA prints."""
