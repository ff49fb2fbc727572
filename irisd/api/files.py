"""Placeholder: routes added by its owner."""

from aiohttp import web

routes = web.RouteTableDef()
