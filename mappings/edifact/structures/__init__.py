"""Message structures and segment specs as JSON data, and the script that generates them."""
