/** A FIFO with O(1) push, shift and removal of any entry (a waiter whose client went away). */
export interface FifoNode<T> {
  readonly value: T;
  prev: FifoNode<T> | undefined;
  next: FifoNode<T> | undefined;
  linked: boolean;
}

export class Fifo<T> {
  #head: FifoNode<T> | undefined;
  #tail: FifoNode<T> | undefined;
  #size = 0;

  get size(): number {
    return this.#size;
  }

  push(value: T): FifoNode<T> {
    const node: FifoNode<T> = { value, prev: this.#tail, next: undefined, linked: true };
    if (this.#tail) this.#tail.next = node;
    else this.#head = node;
    this.#tail = node;
    this.#size += 1;
    return node;
  }

  remove(node: FifoNode<T>): void {
    if (!node.linked) return;
    if (node.prev) node.prev.next = node.next;
    else this.#head = node.next;
    if (node.next) node.next.prev = node.prev;
    else this.#tail = node.prev;
    node.prev = undefined;
    node.next = undefined;
    node.linked = false;
    this.#size -= 1;
  }

  first(): FifoNode<T> | undefined {
    return this.#head;
  }

  /** Every value, head first, emptying the queue. */
  drainAll(): T[] {
    const out: T[] = [];
    for (let n = this.#head; n; n = this.#head) {
      this.remove(n);
      out.push(n.value);
    }
    return out;
  }
}
