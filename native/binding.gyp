{
  "targets": [
    {
      "target_name": "inkling_blas",
      "sources": ["inkling_blas.c"],
      "cflags": ["-O2", "-Wall"],
      "conditions": [
        ["OS=='linux'", { "libraries": ["-ldl"] }]
      ]
    }
  ]
}
