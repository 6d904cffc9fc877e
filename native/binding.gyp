{
  "targets": [
    {
      "target_name": "inkling_blas",
      "sources": ["inkling_blas.c"],
      "cflags": ["-O3", "-Wall"],
      "conditions": [
        ["OS=='linux'", { "libraries": ["-ldl"] }]
      ]
    }
  ]
}
