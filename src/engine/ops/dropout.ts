// Dropout with masks drawn from the model seed, so a seeded training run is reproducible.
import * as tf from '@tensorflow/tfjs-core';
import { seedFor } from '../models/init.js';

export class Dropout {
  private calls = 0;

  constructor(
    private readonly rate: number,
    private readonly seed: number,
  ) {}

  apply<T extends tf.Tensor>(x: T, training: boolean): T {
    if (!training || this.rate <= 0) return x;
    return tf.dropout(x, this.rate, undefined, seedFor(this.seed, `dropout${this.calls++}`)) as T;
  }
}
