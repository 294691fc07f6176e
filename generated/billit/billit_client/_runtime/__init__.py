# payspec runtime: copied unchanged into every generated package (generator/runtime/ is the
# source; edit it there and run `make generate`).
"""The runtime of a generated client package: plain Python shared by its generated modules.

A package ships only the modules its protocol needs, each the same in every package that has
it (the module docstrings say what each does). Internal; its names may change between
generations.
"""
