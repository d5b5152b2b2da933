"""The Map page: the network view, its elements and styles, layout, editor, forms and working copies."""
