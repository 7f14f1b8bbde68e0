"""The rules of the notifications service: the personeel facts it keeps, who receives what, and the inbox."""
